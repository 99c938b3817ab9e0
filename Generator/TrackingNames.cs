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

    /// <summary>A block's declaration (<c>[Block]</c>).</summary>
    public const string ParseBlock = nameof(ParseBlock);

    /// <summary>Every (block, input shape) the models place, collected over the compilation.</summary>
    public const string BlockUses = nameof(BlockUses);

    /// <summary>A block with the traces of its layers at each of its input shapes: feeds the block's emission.</summary>
    public const string BlockVariants = nameof(BlockVariants);

    /// <summary>The diagnostics of a module's own <c>[LayerShape]</c> contract.</summary>
    public const string Contracts = nameof(Contracts);

    /// <summary>A class with layer attributes but no Input.</summary>
    public const string MissingInput = nameof(MissingInput);
}
