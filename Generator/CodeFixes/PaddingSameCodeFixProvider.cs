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
using Microsoft.CodeAnalysis.Simplification;

namespace LayerDsl.CodeFixes;

/// <summary>
/// LDSL0011: a convolution window larger than its input: set <c>Padding = Padding.Same</c>. Offered only when the
/// analyzer found that this makes the layer's shape valid (never for pools, which have no padding option).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(PaddingSameCodeFixProvider)), Shared]
public sealed class PaddingSameCodeFixProvider : CodeFixProvider
{
    /// <summary>Title of the fix.</summary>
    public const string Title = "Use Padding = Padding.Same";

    private const string PaddingName = "Padding";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.WindowLargerThanInput);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (var diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.ContainsKey(ModelAnalyzer.PaddingSameFixesProperty)
                || root?.FindNode(diagnostic.Location.SourceSpan).FirstAncestorOrSelf<AttributeSyntax>() is not { ArgumentList: not null } attribute)
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create(Title, ct => UsePaddingSameAsync(context.Document, attribute, ct), equivalenceKey: Title),
                diagnostic);
        }
    }

    private static async Task<Document> UsePaddingSameAsync(Document document, AttributeSyntax attribute, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var list = attribute.ArgumentList!;

        // TorchSharp's own enum, reduced to what the file's usings allow (Padding.Same under using TorchSharp;).
        var same = SyntaxFactory.ParseExpression("global::TorchSharp.Padding.Same").WithAdditionalAnnotations(Simplifier.Annotation);

        // Explicit amounts go: Same computes the padding.
        var explicitPads = list.Arguments.Where(a => a.NameEquals?.Name.Identifier.ValueText is "Pad" or "PadHeight" or "PadWidth").ToList();
        if (explicitPads.Count > 0)
        {
            list = list.WithArguments(SyntaxFactory.SeparatedList(list.Arguments.Where(a => !explicitPads.Contains(a))));
        }

        var existing = list.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == PaddingName);
        AttributeArgumentListSyntax newList;
        if (existing is not null)
        {
            newList = list.ReplaceNode(existing.Expression, same.WithTriviaFrom(existing.Expression));
        }
        else
        {
            var argument = SyntaxFactory.AttributeArgument(
                SyntaxFactory.NameEquals(
                    SyntaxFactory.IdentifierName(PaddingName).WithTrailingTrivia(SyntaxFactory.Space),
                    SyntaxFactory.Token(SyntaxKind.EqualsToken).WithTrailingTrivia(SyntaxFactory.Space)),
                null,
                same);
            var nodes = list.Arguments.ToList();
            var separators = Enumerable.Range(0, list.Arguments.SeparatorCount).Select(i => list.Arguments.GetSeparator(i)).ToList();
            if (nodes.Count > 0)
            {
                separators.Add(SyntaxFactory.Token(SyntaxKind.CommaToken).WithTrailingTrivia(SyntaxFactory.Space));
            }

            nodes.Add(argument);
            newList = list.WithArguments(SyntaxFactory.SeparatedList(nodes, separators));
        }

        return document.WithSyntaxRoot(root!.ReplaceNode(attribute.ArgumentList!, newList));
    }
}
