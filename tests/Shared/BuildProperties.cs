using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace LayerDsl.Tests.Shared;

/// <summary>The global build properties the compiler hands to generators (<c>build_property.*</c>).</summary>
public sealed class BuildProperties : AnalyzerConfigOptionsProvider
{
    /// <summary>What LayerDsl's build files hand the compiler in a build where analyzers run.</summary>
    public static BuildProperties AnalyzersRun { get; } = new(new Dictionary<string, string> { ["build_property.LayerDslAnalyzersRun"] = "true" });

    private readonly Options global;

    public BuildProperties(Dictionary<string, string> properties) => global = new Options(properties);

    public override AnalyzerConfigOptions GlobalOptions => global;

    public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => Options.Empty;

    public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => Options.Empty;

    private sealed class Options : AnalyzerConfigOptions
    {
        public static readonly Options Empty = new(new Dictionary<string, string>());

        private readonly Dictionary<string, string> values;

        public Options(Dictionary<string, string> values) => this.values = values;

        public override bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value) => values.TryGetValue(key, out value);
    }
}
