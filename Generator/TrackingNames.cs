namespace LayerDsl.Generator;

/// <summary>Names of the pipeline steps, for incrementality tests.</summary>
internal static class TrackingNames
{
    public const string Parse = nameof(Parse);
    public const string Infer = nameof(Infer);
    public const string MissingInput = nameof(MissingInput);
}
