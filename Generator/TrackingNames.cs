namespace LayerDsl.Generator;

/// <summary>Names of the tracked pipeline steps, for incrementality tests.</summary>
internal static class TrackingNames
{
    /// <summary>Symbol and attributes to spec, source map and declaration diagnostics (changes when the model moves).</summary>
    public const string Parse = nameof(Parse);

    /// <summary>The position-free spec alone: unchanged when the model only moves.</summary>
    public const string Spec = nameof(Spec);

    /// <summary>Shape inference: feeds emission.</summary>
    public const string Infer = nameof(Infer);

    /// <summary>Whether the generator reports diagnostics itself (analyzers do not run in this build).</summary>
    public const string Reporting = nameof(Reporting);

    /// <summary>The located diagnostics of a model, when the generator reports them.</summary>
    public const string Diagnostics = nameof(Diagnostics);

    /// <summary>A class with layer attributes but no Input.</summary>
    public const string MissingInput = nameof(MissingInput);
}
