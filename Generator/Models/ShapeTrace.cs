using LayerDsl.Generator.Helpers;
using LayerDsl.Generator.Layers;

namespace LayerDsl.Generator.Models;

/// <summary>One layer with its input and output shapes and parameter count.</summary>
internal sealed record LayerTrace(LayerSpec Layer, Shape Input, Shape Output, long Parameters)
{
    /// <summary>The layer's stable field-style name (<c>conv1</c>).</summary>
    public string Name => Layer.Name;
}

/// <summary>The result of shape inference for a valid model.</summary>
internal sealed record ShapeTrace(Shape Input, EquatableArray<LayerTrace> Layers, long Parameters)
{
    public Shape Output => Layers.Count == 0 ? Input : Layers[Layers.Count - 1].Output;

    /// <summary>The activation the model ends in (Softmax means <c>forward</c> returns probabilities).</summary>
    public ActivationKind OutputActivation => Layers.Count == 0 ? ActivationKind.None : Layers[Layers.Count - 1].Layer.Activation;
}

/// <summary>
/// A model after inference: its spec, its trace when valid, and the diagnostics inference found (by site, not
/// position). The parser's own diagnostics are not here: they carry positions.
/// </summary>
internal sealed record ModelResult(ModelSpec Model, ShapeTrace? Trace, EquatableArray<DiagnosticInfo> Diagnostics);
