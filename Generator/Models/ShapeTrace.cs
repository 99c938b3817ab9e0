using LayerDsl.Generator.Helpers;
using LayerDsl.Generator.Layers;

namespace LayerDsl.Generator.Models;

/// <summary>One layer with its input and output shapes and parameter count; a composite also has its branches.</summary>
internal sealed record LayerTrace(LayerSpec Layer, Shape Input, Shape Output, long Parameters)
{
    /// <summary>The layer's stable field-style name (<c>conv1</c>).</summary>
    public string Name => Layer.Name;

    /// <summary>The block instances of a composite layer (<c>Use</c>, <c>Residual</c>, <c>Concat</c>, <c>Add</c>), else empty.</summary>
    public EquatableArray<BranchTrace> Branches { get; init; } = EquatableArray<BranchTrace>.Empty;

    /// <summary>The stride of a residual's 1 × 1 projection of the skip path; 0 when there is none.</summary>
    public long ProjectionStride { get; init; }
}

/// <summary>One block instance inside a composite layer: its name there, the block, its input, its layers and totals.</summary>
internal sealed record BranchTrace(string Name, BlockRef Block, Shape Input, EquatableArray<LayerTrace> Layers, Shape Output, long Parameters);

/// <summary>The result of shape inference for a valid model.</summary>
internal sealed record ShapeTrace(Shape Input, EquatableArray<LayerTrace> Layers, long Parameters)
{
    /// <summary>The vocabulary of a token-id input; 0 for real-valued input.</summary>
    public long Tokens { get; init; }

    public Shape Output => Layers.Count == 0 ? Input : Layers[Layers.Count - 1].Output;

    /// <summary>The activation the model ends in (Softmax means <c>forward</c> returns probabilities).</summary>
    public ActivationKind OutputActivation => Layers.Count == 0 ? ActivationKind.None : Layers[Layers.Count - 1].Layer.Activation;
}

/// <summary>
/// A model after inference: its spec, its trace when valid, and the diagnostics inference found (by site, not
/// position). The parser's own diagnostics are not here: they carry positions.
/// </summary>
internal sealed record ModelResult(ModelSpec Model, ShapeTrace? Trace, EquatableArray<DiagnosticInfo> Diagnostics);
