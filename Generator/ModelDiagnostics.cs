using System.Collections.Immutable;
using System.Linq;
using LayerDsl.Generator.Helpers;
using LayerDsl.Generator.Models;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace LayerDsl.Generator;

/// <summary>
/// Who reports LayerDsl's diagnostics, and how they become Roslyn diagnostics on real source locations.
/// </summary>
/// <remarks>
/// <see cref="ModelAnalyzer"/> reports every LDSL diagnostic: analyzers run in command-line builds, in IDEs and in
/// language servers that show analyzer diagnostics only, and they put diagnostics on real source locations where
/// <c>#pragma</c>, <c>.editorconfig</c> and code fixes act on them. Analyzers can be switched off
/// (<c>RunAnalyzers=false</c>, <c>RunAnalyzersDuringBuild=false</c>), while source generators always run; so the
/// LayerDsl build files tell the generator, through the compiler-visible property <see cref="AnalyzersRunProperty"/>,
/// whether analyzers run in this build, and the generator reports the same diagnostics exactly when they do not.
/// When the property is missing (the build files were not imported), the generator reports too: an error shown twice
/// is better than an error lost.
/// </remarks>
internal static class ModelDiagnostics
{
    /// <summary>The MSBuild property, visible to the compiler, that says whether analyzers run in this build.</summary>
    public const string AnalyzersRunProperty = "build_property.LayerDslAnalyzersRun";

    /// <summary>True when the generator must report diagnostics itself, because analyzers do not run.</summary>
    public static bool GeneratorReports(AnalyzerConfigOptions options) =>
        !(options.TryGetValue(AnalyzersRunProperty, out var value) && string.Equals(value?.Trim(), "true", System.StringComparison.OrdinalIgnoreCase));

    /// <summary>Every diagnostic of a parsed model, located: the parser's, then inference's.</summary>
    public static EquatableArray<DiagnosticInfo> Collect(ParsedModel parsed)
    {
        var inferred = ShapeInference.Run(parsed.Spec).Diagnostics.Select(d => d.LocatedBy(parsed.Map));
        return parsed.Diagnostics.Concat(inferred).ToEquatableArray();
    }

    /// <summary>The diagnostic at its source location in <paramref name="compilation"/> (the tree whose path it names).</summary>
    public static Diagnostic ToDiagnostic(DiagnosticInfo info, Compilation compilation, ImmutableDictionary<string, string?>? properties = null) =>
        Diagnostic.Create(DiagnosticDescriptors.Get(info.Id), ToLocation(info.Location, compilation), properties, info.Arguments.ToArray<object>());

    /// <summary>A source location in the compilation's tree with the same path, or <see cref="Location.None"/>.</summary>
    public static Location ToLocation(LocationInfo? info, Compilation compilation)
    {
        if (info is null)
        {
            return Location.None;
        }

        foreach (var tree in compilation.SyntaxTrees)
        {
            if (tree.FilePath == info.FilePath)
            {
                return info.Start + info.Length <= tree.Length ? Location.Create(tree, new TextSpan(info.Start, info.Length)) : Location.None;
            }
        }

        return Location.None;
    }
}
