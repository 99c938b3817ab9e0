using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using LayerDsl.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LayerDsl.CodeFixes;

/// <summary>LDSL0013: a Dense <c>InFeatures</c> pin that disagrees with the inferred size: use the inferred size, or remove the pin.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(InFeaturesCodeFixProvider)), Shared]
public sealed class InFeaturesCodeFixProvider : CodeFixProvider
{
    /// <summary>Title of the fix that writes the inferred number.</summary>
    public const string UseInferredTitle = "Use the inferred size";

    /// <summary>Title of the fix that removes the argument.</summary>
    public const string RemovePinTitle = "Remove the InFeatures pin";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.DenseInFeaturesMismatch);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (var diagnostic in context.Diagnostics)
        {
            if (root?.FindNode(diagnostic.Location.SourceSpan).FirstAncestorOrSelf<AttributeArgumentSyntax>() is not { } argument)
            {
                continue;
            }

            if (diagnostic.Properties.TryGetValue(ModelAnalyzer.InferredFeaturesProperty, out var inferred)
                && int.TryParse(inferred, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var features))
            {
                context.RegisterCodeFix(
                    CodeAction.Create(
                        $"{UseInferredTitle} ({features})",
                        ct => UseInferredAsync(context.Document, argument, features, ct),
                        equivalenceKey: nameof(UseInferredTitle)),
                    diagnostic);
            }

            context.RegisterCodeFix(
                CodeAction.Create(RemovePinTitle, ct => RemovePinAsync(context.Document, argument, ct), equivalenceKey: nameof(RemovePinTitle)),
                diagnostic);
        }
    }

    private static async Task<Document> UseInferredAsync(Document document, AttributeArgumentSyntax argument, int features, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var literal = SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(features))
            .WithTriviaFrom(argument.Expression);
        return document.WithSyntaxRoot(root!.ReplaceNode(argument.Expression, literal));
    }

    private static async Task<Document> RemovePinAsync(Document document, AttributeArgumentSyntax argument, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        return argument.Parent is AttributeArgumentListSyntax list
            ? document.WithSyntaxRoot(root!.ReplaceNode(list, list.WithArguments(list.Arguments.Remove(argument))))
            : document;
    }
}
