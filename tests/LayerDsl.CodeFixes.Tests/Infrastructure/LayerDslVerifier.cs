using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using LayerDsl.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace LayerDsl.CodeFixes.Tests.Infrastructure;

/// <summary>
/// Roslyn's code-fix test (Microsoft.CodeAnalysis.CSharp.CodeFix.Testing) set up as a LayerDsl user's project: the
/// generator runs as in a build, <see cref="ModelAnalyzer"/> reports, nullable is on, and every compiler warning or
/// error of user plus generated code must be declared (none is, so the code before and after each fix builds clean).
/// Expected diagnostics are marked in the source: <c>{|LDSL0013:InFeatures = 784|}</c>.
/// </summary>
/// <remarks>
/// The framework comes from the running runtime (<see cref="LayerDsl.Tests.Shared.ConsumerReferences"/>, as in every
/// other in-memory compilation of the tests), not from the library's download of reference packs: its .NET 10 pack
/// asks for a version of Microsoft.NETCore.App.Ref that the package feed does not serve.
/// </remarks>
public sealed class LayerDslFixTest<TCodeFix> : CSharpCodeFixTest<ModelAnalyzer, TCodeFix, DefaultVerifier>
    where TCodeFix : CodeFixProvider, new()
{
    public LayerDslFixTest()
    {
        ReferenceAssemblies = new ReferenceAssemblies("net10.0");
        TestState.AdditionalReferences.AddRange(LayerDsl.Tests.Shared.ConsumerReferences.All);
        CompilerDiagnostics = CompilerDiagnostics.Warnings;
        // What LayerDsl's build files tell the generator in a build where analyzers run: the analyzer reports.
        TestState.AnalyzerConfigFiles.Add(("/.globalconfig", "is_global = true\nbuild_property.LayerDslAnalyzersRun = true\n"));
        // The generated model is checked by the generator's snapshot tests; here it only has to compile.
        TestBehaviors |= TestBehaviors.SkipGeneratedSourcesCheck;
        SolutionTransforms.Add((solution, projectId) =>
        {
            // The library parses doc comments as a project with GenerateDocumentationFile does, so the generated ones are
            // checked too; the user's own types need none.
            var options = (CSharpCompilationOptions)solution.GetProject(projectId)!.CompilationOptions!;
            options = options
                .WithNullableContextOptions(NullableContextOptions.Enable)
                .WithSpecificDiagnosticOptions(options.SpecificDiagnosticOptions.SetItem("CS1591", ReportDiagnostic.Suppress));
            return solution.WithProjectCompilationOptions(projectId, options);
        });
    }

    protected override IEnumerable<Type> GetSourceGenerators() => new[] { typeof(ModelGenerator) };

    protected override ParseOptions CreateParseOptions() => new CSharpParseOptions(LanguageVersion.Latest);
}

/// <summary>Shorthands for the usual shapes of a code-fix test.</summary>
public static class Verify<TCodeFix>
    where TCodeFix : CodeFixProvider, new()
{
    /// <summary>
    /// Checks the diagnostics marked in <paramref name="before"/>, applies the fix offered at <paramref name="index"/>
    /// (it must be titled <paramref name="title"/>), and checks the result is <paramref name="after"/>, without
    /// diagnostics; the fix-all of the same fix must give the same result.
    /// </summary>
    public static Task FixAsync(string before, string after, string title, int index = 0) => new LayerDslFixTest<TCodeFix>
    {
        TestCode = before,
        FixedCode = after,
        CodeActionIndex = index,
        CodeActionVerifier = (action, verifier) => verifier.Equal(title, action.Title, $"the title of fix {index}"),
    }.RunAsync();

    /// <summary>Checks the diagnostics marked in <paramref name="source"/> and that <typeparamref name="TCodeFix"/> offers no fix for them.</summary>
    public static Task NoFixAsync(string source) => new LayerDslFixTest<TCodeFix>
    {
        TestCode = source,
        FixedCode = source,
    }.RunAsync();
}
