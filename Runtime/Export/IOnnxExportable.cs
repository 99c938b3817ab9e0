namespace LayerDsl.Export;

/// <summary>
/// A layer that can describe itself in ONNX operators, so that a model containing it can be exported: a user's own,
/// or one of LayerDsl's (<see cref="LayerDsl.Modules.Branches"/> and the sequence modules).
/// </summary>
/// <remarks>
/// <see cref="OnnxGraphBuilder.Module"/> calls <see cref="ExportOnnx"/> for a module implementing this interface and
/// reports any other module it does not know as a <see cref="System.NotSupportedException"/> naming it. An
/// implementation appends its nodes with the builder's layer methods (<see cref="OnnxGraphBuilder.Conv2d"/>,
/// <see cref="OnnxGraphBuilder.Relu"/>, ...) or with <see cref="OnnxGraphBuilder.Node"/> and
/// <see cref="OnnxGraphBuilder.Initializer"/>, and returns the name of its output value.
/// </remarks>
public interface IOnnxExportable
{
    /// <summary>Appends this layer's nodes to the graph; returns the name of its output value.</summary>
    /// <param name="builder">The graph being built; <see cref="OnnxGraphBuilder.ShapeOf"/> gives the input's shape.</param>
    /// <param name="input">Name of the layer's input value, of shape [batch, ...].</param>
    /// <param name="name">The layer's name, unique in the graph: a prefix for the names of its nodes and weights.</param>
    string ExportOnnx(OnnxGraphBuilder builder, string input, string name);
}
