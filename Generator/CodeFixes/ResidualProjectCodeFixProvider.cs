using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using LayerDsl.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LayerDsl.CodeFixes;

/// <summary>
/// LDSL0024: a residual block that changes the shape: set <c>Project = true</c>, which adds a 1 × 1 convolution with the
/// needed stride on the skip path. Offered only when the analyzer found that this makes the model's shapes valid.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ResidualProjectCodeFixProvider)), Shared]
public sealed class ResidualProjectCodeFixProvider : CodeFixProvider
{
    /// <summary>Title of the fix.</summary>
    public const string Title = "Project the skip path (Project = true)";

    private const string ProjectName = "Project";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.ResidualShapeMismatch);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (var diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.ContainsKey(ModelAnalyzer.ProjectFixesProperty)
                || root?.FindNode(diagnostic.Location.SourceSpan).FirstAncestorOrSelf<AttributeSyntax>() is not { } attribute)
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create(Title, ct => ProjectAsync(context.Document, attribute, ct), equivalenceKey: Title),
                diagnostic);
        }
    }

    private static async Task<Document> ProjectAsync(Document document, AttributeSyntax attribute, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var value = SyntaxFactory.LiteralExpression(SyntaxKind.TrueLiteralExpression);
        var list = attribute.ArgumentList ?? SyntaxFactory.AttributeArgumentList();
        var existing = list.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == ProjectName);
        AttributeArgumentListSyntax newList;
        if (existing is not null)
        {
            newList = list.ReplaceNode(existing.Expression, value.WithTriviaFrom(existing.Expression));
        }
        else
        {
            var argument = SyntaxFactory.AttributeArgument(
                SyntaxFactory.NameEquals(
                    SyntaxFactory.IdentifierName(ProjectName).WithTrailingTrivia(SyntaxFactory.Space),
                    SyntaxFactory.Token(SyntaxKind.EqualsToken).WithTrailingTrivia(SyntaxFactory.Space)),
                null,
                value);
            var nodes = list.Arguments.ToList();
            var separators = Enumerable.Range(0, list.Arguments.SeparatorCount).Select(i => list.Arguments.GetSeparator(i)).ToList();
            if (nodes.Count > 0)
            {
                separators.Add(SyntaxFactory.Token(SyntaxKind.CommaToken).WithTrailingTrivia(SyntaxFactory.Space));
            }

            nodes.Add(argument);
            newList = list.WithArguments(SyntaxFactory.SeparatedList(nodes, separators));
        }

        return document.WithSyntaxRoot(root!.ReplaceNode(attribute, attribute.WithArgumentList(newList)));
    }
}
