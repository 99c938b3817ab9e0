using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace LayerDsl.Export;

/// <summary>
/// Builds an ONNX model, layer by layer, from TorchSharp modules and their current weights: one method per layer
/// kind appends that layer's nodes and initializers and returns the name of its output value.
/// </summary>
/// <remarks>
/// <para>
/// Every value the methods hand out has a dynamic batch dimension first (named <c>batch</c>) followed by a sample
/// shape the builder tracks (<see cref="ShapeOf"/>): a method checks its input's shape against the module and fails
/// with an <see cref="ArgumentException"/> naming the layer, both shapes and the fix, so a layer that cannot be
/// exported is reported while the graph is built, before anything is written. A module with no export is a
/// <see cref="NotSupportedException"/> naming it (see <see cref="Module"/> and <see cref="IOnnxExportable"/>).
/// </para>
/// <para>
/// The graph is the evaluation-mode computation (dropout is the identity, batch normalisation uses its running
/// statistics) in float32. Weights are copied when a layer is added, so later training does not change the graph.
/// Weights are stored as initializers named after the layer and the module's state-dict key (<c>conv1.weight</c>);
/// intermediate values are named <c>layer/step</c>.
/// </para>
/// <code>
/// var onnx = new OnnxGraphBuilder();
/// string x = onnx.Input("input", 1, 28, 28);
/// x = onnx.Conv2d(x, conv1, "conv1");
/// x = onnx.Relu(x);
/// x = onnx.Linear(x, dense1, "dense1");      // flattens [32, 26, 26] first
/// onnx.Output(x);                            // "output"
/// onnx.Save("model.onnx");
/// </code>
/// </remarks>
public sealed partial class OnnxGraphBuilder
{
    /// <summary>The operator set version used when none is given.</summary>
    public const int DefaultOpset = 17;

    /// <summary>The oldest supported operator set: 17, the first with <c>LayerNormalization</c>.</summary>
    public const int MinimumOpset = 17;

    /// <summary>The newest supported operator set.</summary>
    public const int MaximumOpset = 22;

    /// <summary>The name of the dynamic first dimension of every input and output.</summary>
    public const string BatchDimension = "batch";

    private readonly GraphProto graph;
    private readonly Dictionary<string, long[]> shapes = new(StringComparer.Ordinal);
    private readonly HashSet<string> names = new(StringComparer.Ordinal);
    private readonly HashSet<string> int64Values = new(StringComparer.Ordinal);

    /// <summary>Starts an empty graph.</summary>
    /// <param name="opset">The ONNX operator set version (default domain) the model declares, from
    /// <see cref="MinimumOpset"/> to <see cref="MaximumOpset"/>. Some layers choose their operators by it (see
    /// <see cref="DeformConv2d"/>).</param>
    /// <param name="graphName">The graph's name, for instance the model's class name.</param>
    /// <exception cref="ArgumentOutOfRangeException">The opset is outside the supported range.</exception>
    public OnnxGraphBuilder(int opset = DefaultOpset, string graphName = "LayerDsl")
    {
        if (opset < MinimumOpset || opset > MaximumOpset)
            throw new ArgumentOutOfRangeException(nameof(opset), opset,
                $"ONNX opset {opset} is not supported: choose {MinimumOpset} to {MaximumOpset} ({MinimumOpset} is the first with LayerNormalization).");
        ArgumentException.ThrowIfNullOrWhiteSpace(graphName);
        Opset = opset;
        graph = new GraphProto { Name = graphName };
    }

    /// <summary>The operator set version the model declares.</summary>
    public int Opset { get; }

    /// <summary>
    /// Declares a float32 graph input of shape [batch, ...sampleShape], the batch dimension dynamic.
    /// </summary>
    /// <param name="name">The input's name, for instance <c>input</c>.</param>
    /// <param name="sampleShape">The shape of one sample, for instance [C, H, W].</param>
    /// <returns>The input's value name (<paramref name="name"/>).</returns>
    /// <exception cref="ArgumentException">The name is taken or a dimension is not positive.</exception>
    public string Input(string name, params long[] sampleShape) =>
        DeclareInput(name, sampleShape, TensorProto.Types.DataType.Float);

    /// <summary>
    /// Declares an int64 graph input of shape [batch, ...sampleShape], the batch dimension dynamic: token ids, which
    /// only a layer taking token ids (<see cref="LayerDsl.Modules.TokenEmbedding"/>) reads; every other layer refuses
    /// it.
    /// </summary>
    /// <param name="name">The input's name, for instance <c>tokens</c>.</param>
    /// <param name="sampleShape">The shape of one sample, for instance [T].</param>
    /// <returns>The input's value name (<paramref name="name"/>).</returns>
    /// <exception cref="ArgumentException">The name is taken or a dimension is not positive.</exception>
    public string Int64Input(string name, params long[] sampleShape)
    {
        string input = DeclareInput(name, sampleShape, TensorProto.Types.DataType.Int64);
        int64Values.Add(input);
        return input;
    }

    private string DeclareInput(string name, long[] sampleShape, TensorProto.Types.DataType elementType)
    {
        ArgumentNullException.ThrowIfNull(sampleShape);
        if (sampleShape.Any(d => d <= 0))
            throw new ArgumentException(
                $"The input '{name}' has shape {FormatShape(sampleShape)}: every dimension must be positive.", nameof(sampleShape));
        Reserve(name, nameof(name));
        shapes[name] = (long[])sampleShape.Clone();
        graph.Input.Add(ValueInfo(name, sampleShape, elementType));
        return name;
    }

    /// <summary>The sample shape (batch excluded) of a value this builder handed out.</summary>
    /// <param name="value">A value name returned by <see cref="Input"/> or a layer method.</param>
    /// <exception cref="ArgumentException">The value is not one of this graph's.</exception>
    public IReadOnlyList<long> ShapeOf(string value) => AnyShape(value, "ShapeOf");

    /// <summary>Whether a value holds int64 token ids (an <see cref="Int64Input"/>) rather than float32 values.</summary>
    /// <param name="value">A value name returned by an input or a layer method.</param>
    /// <exception cref="ArgumentException">The value is not one of this graph's.</exception>
    public bool IsInt64(string value)
    {
        AnyShape(value, "IsInt64");
        return int64Values.Contains(value);
    }

    /// <summary>Declares a graph output: <paramref name="value"/> under the name <paramref name="name"/>.</summary>
    /// <param name="value">The value to output.</param>
    /// <param name="name">The output's name; <c>output</c> by default.</param>
    /// <returns>The output's name.</returns>
    /// <exception cref="ArgumentException">The value is unknown or the name is taken.</exception>
    public string Output(string value, string name = "output")
    {
        long[] shape = AnyShape(value, name);
        Reserve(name, nameof(name));
        AddNode("Identity", name, new[] { value }, name, shape);
        bool int64 = int64Values.Contains(value);
        if (int64)
            int64Values.Add(name);
        graph.Output.Add(ValueInfo(name, shape, int64 ? TensorProto.Types.DataType.Int64 : TensorProto.Types.DataType.Float));
        return name;
    }

    /// <summary>The model as ONNX protobuf bytes.</summary>
    /// <exception cref="InvalidOperationException">The graph has no input or no output yet.</exception>
    public byte[] ToByteArray() => BuildModel().ToByteArray();

    /// <summary>
    /// Writes the model to <paramref name="path"/> atomically: to a temporary file in the same folder, then moved
    /// over the target, so a reader never sees a partial model. The folder is created if missing.
    /// </summary>
    /// <param name="path">The .onnx file to write.</param>
    /// <exception cref="InvalidOperationException">The graph has no input or no output yet.</exception>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var model = BuildModel();
        AtomicFile.Write(path, stream => model.WriteTo(stream));
    }

    /// <summary>
    /// Appends one node of any ONNX operator (default domain) whose first output has shape [batch, ...]: the
    /// building block for a user's own export (<see cref="IOnnxExportable"/>).
    /// </summary>
    /// <param name="opType">The operator, for instance <c>Mul</c>.</param>
    /// <param name="inputs">Input value names: values of this graph, initializers, or an empty string for an
    /// omitted optional input.</param>
    /// <param name="outputSampleShape">The output's shape without the batch dimension, which later layers check
    /// against.</param>
    /// <param name="name">The node's and its output's name; generated from the operator when null.</param>
    /// <param name="attributes">The node's attributes.</param>
    /// <returns>The output value's name.</returns>
    /// <exception cref="ArgumentException">An input is unknown, the name is taken or a dimension is not positive.</exception>
    public string Node(string opType, IReadOnlyList<string> inputs, IReadOnlyList<long> outputSampleShape,
        string? name = null, params OnnxAttribute[] attributes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(opType);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputSampleShape);
        ArgumentNullException.ThrowIfNull(attributes);
        string layer = LayerName(name, char.ToLowerInvariant(opType[0]) + opType[1..]);
        foreach (string input in inputs)
        {
            if (input.Length > 0 && !names.Contains(input))
                throw new ArgumentException(
                    $"The node '{layer}' ({opType}) reads '{input}', which is not a value of this graph: pass a name returned by Input, Initializer or a layer method.",
                    nameof(inputs));
        }
        if (outputSampleShape.Any(d => d <= 0))
            throw new ArgumentException(
                $"The node '{layer}' ({opType}) declares the output shape {FormatShape(outputSampleShape.ToArray())}: every dimension must be positive.",
                nameof(outputSampleShape));
        AddNode(opType, layer, inputs.ToArray(), layer, outputSampleShape.ToArray(), attributes);
        return layer;
    }

    /// <summary>
    /// Adds a constant (an ONNX initializer) holding a copy of <paramref name="tensor"/>: float32 for floating-point
    /// tensors, int64 for integer ones.
    /// </summary>
    /// <param name="name">The initializer's name, unique in the graph, for instance <c>layer.weight</c>.</param>
    /// <param name="tensor">The values, on any device.</param>
    /// <returns>The initializer's name.</returns>
    /// <exception cref="ArgumentException">The name is taken.</exception>
    public string Initializer(string name, Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        Reserve(name, nameof(name));
        if (is_integral(tensor.dtype))
        {
            using var values = tensor.detach().cpu().to(int64).contiguous();
            AddInitializer(name, values.data<long>().ToArray(), tensor.shape);
        }
        else
        {
            using var values = tensor.detach().cpu().to(float32).contiguous();
            AddInitializer(name, values.data<float>().ToArray(), tensor.shape);
        }
        return name;
    }

    private ModelProto BuildModel()
    {
        if (graph.Input.Count == 0)
            throw new InvalidOperationException("The graph has no input: call Input(name, sampleShape) first.");
        if (graph.Output.Count == 0)
            throw new InvalidOperationException("The graph has no output: call Output(value) with the last layer's value.");
        var model = new ModelProto
        {
            IrVersion = IrVersion(Opset),
            ProducerName = "LayerDsl",
            ProducerVersion = typeof(OnnxGraphBuilder).Assembly
                .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "",
            Graph = graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        return model;
    }

    // The IR version each opset was released with (onnx/docs/Versioning.md): readers accept it or newer.
    private static long IrVersion(int opset) => opset switch
    {
        <= 18 => 8,
        <= 20 => 9,
        _ => 10,
    };

    private static ValueInfoProto ValueInfo(string name, long[] sampleShape, TensorProto.Types.DataType elementType)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = BatchDimension });
        foreach (long d in sampleShape)
            shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto
            {
                TensorType = new TypeProto.Types.Tensor { ElemType = (int)elementType, Shape = shape },
            },
        };
    }

    /// <summary>Appends a node with one output; a batched output (shape given) becomes a value later layers may read.</summary>
    private void AddNode(string opType, string nodeName, string[] inputs, string output, long[]? sampleShape,
        params OnnxAttribute[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = nodeName };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes.Select(a => a.Proto));
        graph.Node.Add(node);
        if (sampleShape is not null)
            shapes[output] = sampleShape;
    }

    /// <summary>Appends a node whose output is a new intermediate value named <c>layer/step</c>; returns that name.</summary>
    internal string Step(string layer, string step, string opType, string[] inputs, long[]? sampleShape,
        params OnnxAttribute[] attributes)
    {
        string output = Reserve($"{layer}/{step}", nameof(layer));
        AddNode(opType, output, inputs, output, sampleShape, attributes);
        return output;
    }

    /// <summary>
    /// Appends a node of several outputs of which only the one at <paramref name="index"/> is used (the others are
    /// omitted), named <c>layer/step</c>; returns that name. Its shape is not tracked: it is no batch-first value.
    /// </summary>
    internal string StepOutput(string layer, string step, string opType, string[] inputs, int index,
        params OnnxAttribute[] attributes)
    {
        string output = Reserve($"{layer}/{step}", nameof(layer));
        var node = new NodeProto { OpType = opType, Name = output };
        node.Input.AddRange(inputs);
        node.Output.AddRange(Enumerable.Repeat("", index).Append(output));
        node.Attribute.AddRange(attributes.Select(a => a.Proto));
        graph.Node.Add(node);
        return output;
    }

    /// <summary>Appends the layer's last node, whose output is named after the layer; returns that name.</summary>
    internal string Final(string layer, string opType, string[] inputs, long[] sampleShape, params OnnxAttribute[] attributes)
    {
        AddNode(opType, layer, inputs, layer, sampleShape, attributes);
        return layer;
    }

    /// <summary>A float32 initializer holding a module's weight, optionally reshaped; named after the layer.</summary>
    internal string Weight(string layer, string key, Tensor? tensor, long[]? reshape = null)
    {
        if (tensor is null)
            throw new InvalidOperationException($"The layer '{layer}' has no '{key}' to export.");
        if (tensor.dtype != float32)
            throw new NotSupportedException(
                $"The layer '{layer}' holds '{key}' as {tensor.dtype}; the ONNX export is float32: convert the model with .to(torch.float32) first.");
        string name = Reserve($"{layer}.{key}", nameof(layer));
        using var values = tensor.detach().cpu().contiguous();
        long[] dims = reshape ?? tensor.shape;
        if (dims.Aggregate(1L, (a, b) => a * b) != tensor.numel())
            throw new InvalidOperationException($"Cannot view '{layer}.{key}' {FormatShape(tensor.shape)} as {FormatShape(dims)}.");
        AddInitializer(name, values.data<float>().ToArray(), dims);
        return name;
    }

    /// <summary>A float32 constant named <c>layer/what</c>.</summary>
    private string Constant(string layer, string what, float[] values, params long[] dims)
    {
        string name = Reserve($"{layer}/{what}", nameof(layer));
        AddInitializer(name, values, dims);
        return name;
    }

    /// <summary>A float32 scalar constant named <c>layer/what</c>.</summary>
    internal string Scalar(string layer, string what, float value) => Constant(layer, what, new[] { value });

    /// <summary>A one-dimensional int64 constant named <c>layer/what</c> (shapes, pads, axes, indices).</summary>
    internal string Int64s(string layer, string what, params long[] values)
    {
        string name = Reserve($"{layer}/{what}", nameof(layer));
        AddInitializer(name, values, new long[] { values.Length });
        return name;
    }

    private void AddInitializer(string name, float[] values, long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(dims);
        tensor.RawData = ByteString.CopyFrom(LittleEndian(values));
        graph.Initializer.Add(tensor);
    }

    private void AddInitializer(string name, long[] values, long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.AddRange(dims);
        tensor.RawData = ByteString.CopyFrom(LittleEndian(values));
        graph.Initializer.Add(tensor);
    }

    // ONNX raw_data is little-endian.
    private static ReadOnlySpan<byte> LittleEndian<T>(T[] values) where T : struct
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("The ONNX export writes little-endian raw data and needs a little-endian machine.");
        return MemoryMarshal.AsBytes(values.AsSpan());
    }

    /// <summary>The layer's name: the given one (checked to be free) or the prefix with the first free number.</summary>
    internal string LayerName(string? name, string prefix)
    {
        if (name is not null)
            return Reserve(name, nameof(name));
        for (int i = 1; ; i++)
        {
            string candidate = $"{prefix}{i}";
            if (names.Add(candidate))
                return candidate;
        }
    }

    private string Reserve(string name, string parameter)
    {
        if (string.IsNullOrWhiteSpace(name))
            throw new ArgumentException("A name in an ONNX graph must not be empty.", parameter);
        if (!names.Add(name))
            throw new ArgumentException(
                $"The name '{name}' is already used in this graph: give every input, layer and output its own name.", parameter);
        return name;
    }

    /// <summary>
    /// The sample shape of a float32 value this builder handed out, or a clear error naming the layer reading it (also
    /// when the value holds token ids, which only <see cref="AnyShape"/>'s callers read).
    /// </summary>
    internal long[] Shape(string value, string layer)
    {
        long[] shape = AnyShape(value, layer);
        if (int64Values.Contains(value))
            throw new ArgumentException(
                $"'{layer}' reads '{value}', which holds int64 token ids: only a layer taking token ids (TokenEmbedding) reads them. "
                + "Put an embedding first, or declare a float input with Input.",
                nameof(value));
        return shape;
    }

    /// <summary>The sample shape of a value this builder handed out, float32 or int64.</summary>
    internal long[] AnyShape(string value, string layer)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!shapes.TryGetValue(value, out long[]? shape))
            throw new ArgumentException(
                $"'{layer}' reads '{value}', which is not a value of this graph: pass a name returned by Input or by an earlier layer.",
                nameof(value));
        return shape;
    }

    /// <summary>The input's sample shape, checked to have the given rank and, when given, channel count.</summary>
    internal long[] Expect(string input, string layer, string kind, int rank, string layout, long? channels = null)
    {
        long[] shape = Shape(input, layer);
        if (shape.Length != rank || (channels is { } c && shape[0] != c))
            throw new ArgumentException(
                $"The layer '{layer}' ({kind}) expects an input of shape [batch, {layout}]{(channels is { } n ? $" with {n} channels" : "")}; "
                + $"'{input}' has shape {FormatShape(shape)}. Check the layer before it.",
                nameof(input));
        return shape;
    }

    /// <summary>A sample shape as the model summary writes it, batch first as -1.</summary>
    internal static string FormatShape(IEnumerable<long> sampleShape) => $"[-1, {string.Join(", ", sampleShape)}]";

    private static long[] With(long[] shape, int index, long value)
    {
        long[] copy = (long[])shape.Clone();
        copy[index] = value;
        return copy;
    }
}
