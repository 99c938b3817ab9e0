using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using LayerDsl.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace LayerDsl.CodeFixes.Tests.Infrastructure;

/// <summary>What a build of a project reports: the generator's, the analyzer's and the compiler's diagnostics.</summary>
public sealed record BuildResult(
    Compilation Output,
    ImmutableArray<Diagnostic> Generator,
    ImmutableArray<Diagnostic> Analyzer,
    ImmutableArray<Diagnostic> Compiler)
{
    /// <summary>Every LayerDsl diagnostic, from the generator and the analyzer together, as a build shows them.</summary>
    public IReadOnlyList<Diagnostic> LayerDsl => Generator.Concat(Analyzer).Where(d => d.Id.StartsWith("LDSL", StringComparison.Ordinal)).ToList();

    /// <summary>Compiler warnings and errors of user plus generated code.</summary>
    public IReadOnlyList<Diagnostic> CompilerProblems => Compiler.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
}

/// <summary>
/// An in-memory workspace (as an IDE has) with a project that references LayerDsl.Runtime and TorchSharp; runs the
/// generator and <see cref="ModelAnalyzer"/> as the compiler does, and applies code fixes as an IDE does.
/// </summary>
public static class FixHarness
{

    public static CSharpParseOptions ParseOptions { get; } = new(LanguageVersion.Latest);

    public static Document CreateDocument(string source, string path = "Model.cs")
    {
        var workspace = new AdhocWorkspace();
        var projectId = ProjectId.CreateNewId();
        var solution = workspace.CurrentSolution.AddProject(ProjectInfo.Create(
            projectId,
            VersionStamp.Create(),
            "Consumer",
            "Consumer",
            LanguageNames.CSharp,
            compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable),
            parseOptions: ParseOptions,
            metadataReferences: LayerDsl.Tests.Shared.ConsumerReferences.All));
        var documentId = DocumentId.CreateNewId(projectId);
        solution = solution.AddDocument(documentId, path, SourceText.From(source), filePath: path);
        return solution.GetDocument(documentId)!;
    }

    public static Document AddDocument(Project project, string source, string path)
    {
        var documentId = DocumentId.CreateNewId(project.Id);
        return project.Solution.AddDocument(documentId, path, SourceText.From(source), filePath: path).GetDocument(documentId)!;
    }

    /// <summary>Runs the generator, then the analyzer on the generated compilation, as <c>csc</c> does in a build.</summary>
    public static async Task<BuildResult> BuildAsync(Project project)
    {
        var compilation = (await project.GetCompilationAsync())!;
        GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new ModelGenerator().AsSourceGenerator() }, parseOptions: ParseOptions);
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        Assert.All(driver.GetRunResult().Results, r => Assert.Null(r.Exception));
        var analyzerDiagnostics = await output
            .WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new ModelAnalyzer()))
            .GetAnalyzerDiagnosticsAsync();
        return new BuildResult(output, generatorDiagnostics, analyzerDiagnostics, output.GetDiagnostics());
    }

    public static Task<BuildResult> BuildAsync(string source) => BuildAsync(CreateDocument(source).Project);

    /// <summary>The titles of the fixes <paramref name="provider"/> offers for the only diagnostic <paramref name="id"/>.</summary>
    public static async Task<IReadOnlyList<string>> OfferedAsync(Document document, CodeFixProvider provider, string id) =>
        (await ActionsAsync(document, provider, id)).Select(a => a.Title).ToList();

    /// <summary>Applies the fix whose title starts with <paramref name="title"/> and returns the changed solution.</summary>
    public static async Task<Solution> ApplyAsync(Document document, CodeFixProvider provider, string id, string title)
    {
        var action = Assert.Single(await ActionsAsync(document, provider, id), a => a.Title.StartsWith(title, StringComparison.Ordinal));
        var operations = await action.GetOperationsAsync(CancellationToken.None);
        return Assert.Single(operations.OfType<ApplyChangesOperation>()).ChangedSolution;
    }

    /// <summary>Applies the fix and returns the changed document's text.</summary>
    public static async Task<string> ApplyToTextAsync(Document document, CodeFixProvider provider, string id, string title)
    {
        var solution = await ApplyAsync(document, provider, id, title);
        return (await solution.GetDocument(document.Id)!.GetTextAsync()).ToString();
    }

    private static async Task<List<CodeAction>> ActionsAsync(Document document, CodeFixProvider provider, string id)
    {
        var build = await BuildAsync(document.Project);
        var diagnostic = Assert.Single(build.LayerDsl, d => d.Id == id);
        Assert.Contains(id, provider.FixableDiagnosticIds);
        var actions = new List<CodeAction>();
        var context = new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None);
        await provider.RegisterCodeFixesAsync(context);
        return actions;
    }
}
