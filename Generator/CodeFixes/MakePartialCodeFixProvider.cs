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

/// <summary>LDSL0001: a model class that is not partial: add the <c>partial</c> modifier to each of its declarations.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakePartialCodeFixProvider)), Shared]
public sealed class MakePartialCodeFixProvider : CodeFixProvider
{
    /// <summary>Title of the fix.</summary>
    public const string Title = "Make partial";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.ModelNotPartial);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (var diagnostic in context.Diagnostics)
        {
            if (root?.FindToken(diagnostic.Location.SourceSpan.Start).Parent?.FirstAncestorOrSelf<ClassDeclarationSyntax>() is { } declaration)
            {
                context.RegisterCodeFix(
                    CodeAction.Create(Title, ct => MakePartialAsync(context.Document, declaration, ct), equivalenceKey: Title),
                    diagnostic);
            }
        }
    }

    /// <summary>Adds <c>partial</c> to every declaration of the class (a class with several declarations may lack it on any).</summary>
    private static async Task<Solution> MakePartialAsync(Document document, ClassDeclarationSyntax declaration, CancellationToken cancellationToken)
    {
        var solution = document.Project.Solution;
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        var references = model?.GetDeclaredSymbol(declaration, cancellationToken) is { } type
            ? type.DeclaringSyntaxReferences
            : ImmutableArray<SyntaxReference>.Empty;
        var trees = references.IsEmpty
            ? new[] { declaration.SyntaxTree }
            : references.Select(r => r.SyntaxTree).Distinct().ToArray();

        foreach (var tree in trees)
        {
            var target = solution.GetDocument(tree);
            if (target is null)
            {
                continue;
            }

            var root = await tree.GetRootAsync(cancellationToken).ConfigureAwait(false);
            var declarations = references.IsEmpty
                ? new[] { declaration }
                : references.Where(r => r.SyntaxTree == tree).Select(r => r.GetSyntax(cancellationToken)).OfType<ClassDeclarationSyntax>().ToArray();
            var newRoot = root.ReplaceNodes(
                declarations.Where(d => !d.Modifiers.Any(SyntaxKind.PartialKeyword)),
                (original, _) => AddPartial(original));
            solution = solution.WithDocumentSyntaxRoot(target.Id, newRoot);
        }

        return solution;
    }

    /// <summary><c>partial</c> goes last among the modifiers, right before <c>class</c>, keeping the layout.</summary>
    private static ClassDeclarationSyntax AddPartial(ClassDeclarationSyntax declaration)
    {
        var partial = SyntaxFactory.Token(SyntaxKind.PartialKeyword).WithTrailingTrivia(SyntaxFactory.Space);
        if (declaration.Modifiers.Count > 0)
        {
            return declaration.WithModifiers(declaration.Modifiers.Add(partial));
        }

        var keyword = declaration.Keyword;
        return declaration
            .WithKeyword(keyword.WithLeadingTrivia(SyntaxTriviaList.Empty))
            .WithModifiers(SyntaxFactory.TokenList(partial.WithLeadingTrivia(keyword.LeadingTrivia)));
    }
}
