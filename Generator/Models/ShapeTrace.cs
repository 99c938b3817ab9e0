using LayerDsl.Generator.Helpers;
using LayerDsl.Generator.Layers;

namespace LayerDsl.Generator.Models;

/// <summary>One layer with its stable name, input and output shapes and parameter count.</summary>
internal sealed record LayerTrace(LayerSpec Layer, string Name, Shape Input, Shape Output, long Parameters);

/// <summary>The result of shape inference for a valid model.</summary>
internal sealed record ShapeTrace(Shape Input, EquatableArray<LayerTrace> Layers, long Parameters)
{
    public Shape Output => Layers.Count == 0 ? Input : Layers[Layers.Count - 1].Output;

    /// <summary>The activation the model ends in (Softmax means <c>forward</c> returns probabilities).</summary>
    public ActivationKind OutputActivation => Layers.Count == 0 ? ActivationKind.None : Layers[Layers.Count - 1].Layer.Activation;
}

/// <summary>A model after inference: its spec, its trace when valid, and every diagnostic.</summary>
internal sealed record ModelResult(ModelSpec Model, ShapeTrace? Trace, EquatableArray<DiagnosticInfo> Diagnostics);
