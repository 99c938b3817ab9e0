using System;
using System.Linq;
using LayerDsl.Export;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LayerDsl.Modules;

/// <summary>Token ids <c>[N, T]</c> (int64) to vectors <c>[N, T, dim]</c>: a learned table of <c>vocab</c> rows (<c>[Embedding(vocab, dim)]</c>).</summary>
[LayerShape("[T] -> [T, dim] params vocab * dim")]
public sealed class TokenEmbedding : nn.Module<Tensor, Tensor>, IOnnxExportable
{
    private readonly Embedding table;

    /// <summary>Creates the table, initialised as TorchSharp's Embedding (standard normal).</summary>
    /// <param name="vocab">Number of token ids.</param>
    /// <param name="dim">Length of each vector.</param>
    public TokenEmbedding(long vocab, long dim)
        : base(nameof(TokenEmbedding))
    {
        if (vocab <= 0)
            throw new ArgumentOutOfRangeException(nameof(vocab), vocab, "The vocabulary must have at least one token.");
        if (dim <= 0)
            throw new ArgumentOutOfRangeException(nameof(dim), dim, "The vector length must be positive.");
        table = nn.Embedding(vocab, dim);
        RegisterComponents();
    }

    /// <summary>Looks up every id of <c>[N, T]</c>.</summary>
    public override Tensor forward(Tensor input) => table.call(input);

    /// <summary>
    /// ONNX <c>Gather</c> of the table's rows (axis 0) at the token ids, an int64 input of any shape
    /// (<see cref="OnnxGraphBuilder.Int64Input"/>); the table is the initializer <c>name.table.weight</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The input does not hold int64 token ids.</exception>
    public string ExportOnnx(OnnxGraphBuilder builder, string input, string name)
    {
        ArgumentNullException.ThrowIfNull(builder);
        string layer = builder.LayerName(name, "embedding");
        long[] shape = builder.AnyShape(input, layer);
        if (!builder.IsInt64(input))
            throw new ArgumentException(
                $"The layer '{layer}' ({nameof(TokenEmbedding)}) looks up token ids, but '{input}' holds float32 values: "
                + "declare the model's input with Int64Input.",
                nameof(input));
        string weight = builder.Weight(layer, "table.weight", table.weight);
        return builder.Final(layer, "Gather", new[] { weight, input }, shape.Append(table.weight!.shape[1]).ToArray(),
            OnnxAttribute.Int("axis", 0));
    }
}

/// <summary>Adds a learned vector per position to <c>[N, T, D]</c> (<c>[PositionalEmbedding]</c>), so that later layers can tell positions apart.</summary>
[LayerShape("[T, D] -> [T, D] params T * D")]
public sealed class PositionalEmbedding : nn.Module<Tensor, Tensor>, IOnnxExportable
{
    private readonly Parameter positions;

    /// <summary>Creates the position table, initialised from a normal distribution with standard deviation 0.02.</summary>
    /// <param name="T">Sequence length.</param>
    /// <param name="D">Vector length.</param>
    public PositionalEmbedding(long T, long D)
        : base(nameof(PositionalEmbedding))
    {
        if (T <= 0 || D <= 0)
            throw new ArgumentOutOfRangeException(nameof(T), $"The sequence length and vector length must be positive; got {T} and {D}.");
        using (no_grad())
        {
            positions = new Parameter(randn(T, D).mul_(0.02));
        }

        RegisterComponents();
    }

    /// <summary>Adds the position vectors to every sequence of the batch.</summary>
    public override Tensor forward(Tensor input) => input + positions;

    /// <summary>ONNX <c>Add</c> of the initializer <c>name.positions</c> [T, D], broadcast over the batch.</summary>
    /// <exception cref="ArgumentException">The input is not [batch, T, D] with this table's T and D.</exception>
    public string ExportOnnx(OnnxGraphBuilder builder, string input, string name)
    {
        ArgumentNullException.ThrowIfNull(builder);
        string layer = builder.LayerName(name, "positionalEmbedding");
        long[] shape = builder.Shape(input, layer);
        if (!shape.SequenceEqual(positions.shape))
            throw new ArgumentException(
                $"The layer '{layer}' ({nameof(PositionalEmbedding)}) adds vectors of shape {OnnxGraphBuilder.FormatShape(positions.shape)}; "
                + $"'{input}' has shape {OnnxGraphBuilder.FormatShape(shape)}. Check the layer before it.",
                nameof(input));
        return builder.Final(layer, "Add", new[] { input, builder.Weight(layer, "positions", positions) }, shape);
    }
}

/// <summary>A dense layer applied at every position: <c>[..., F]</c> to <c>[..., units]</c> (<c>[PositionwiseDense(units)]</c>), as Keras' Dense on sequences.</summary>
[LayerShape("[..., F] -> [..., units] params F * units + units")]
public sealed class PositionwiseDense : nn.Module<Tensor, Tensor>, IOnnxExportable
{
    private readonly Linear linear;
    private readonly Activation activation;

    /// <summary>Creates the layer.</summary>
    /// <param name="F">Input features (the last dimension).</param>
    /// <param name="units">Output features.</param>
    /// <param name="activation">Activation after the layer.</param>
    public PositionwiseDense(long F, long units, Activation activation = Activation.None)
        : base(nameof(PositionwiseDense))
    {
        linear = nn.Linear(F, units);
        this.activation = activation;
        RegisterComponents();
    }

    /// <summary>Applies the layer to the last dimension.</summary>
    public override Tensor forward(Tensor input) => Activations.Apply(activation, linear.call(input));

    /// <summary>
    /// ONNX <c>Gemm</c> (transB = 1) with the initializers <c>name.linear.weight</c> and <c>name.linear.bias</c>; an
    /// input of [batch, ..., F] is first reshaped to rows of F and the result back to [batch, ..., units]. Then the
    /// activation, as generated models apply it (softmax over dimension 1).
    /// </summary>
    /// <exception cref="ArgumentException">The input's last dimension is not F.</exception>
    public string ExportOnnx(OnnxGraphBuilder builder, string input, string name)
    {
        ArgumentNullException.ThrowIfNull(builder);
        string layer = builder.LayerName(name, "positionwiseDense");
        long[] shape = builder.Shape(input, layer);
        long features = linear.in_features, units = linear.out_features;
        if (shape[^1] != features)
            throw new ArgumentException(
                $"The layer '{layer}' ({nameof(PositionwiseDense)}) expects {features} features in the last dimension; "
                + $"'{input}' has shape {OnnxGraphBuilder.FormatShape(shape)}. Check the layer before it.",
                nameof(input));
        long[] output = shape[..^1].Append(units).ToArray();
        string weight = builder.Weight(layer, "linear.weight", linear.weight), bias = builder.Weight(layer, "linear.bias", linear.bias);
        var gemm = OnnxAttribute.Int("transB", 1);
        if (shape.Length == 1)
            return builder.ActivateLayer(layer, activation, "linear", "Gemm", new[] { input, weight, bias }, output, gemm);

        // [batch, ..., F] -> [batch * ..., F] -> Gemm -> [batch, ..., units]
        string rows = builder.Step(layer, "rows", "Reshape", new[] { input, builder.Int64s(layer, "rows_shape", -1, features) }, null);
        string product = builder.Step(layer, "gemm", "Gemm", new[] { rows, weight, bias }, null, gemm);
        return builder.ActivateLayer(layer, activation, "linear", "Reshape",
            new[] { product, builder.Int64s(layer, "output_shape", output.Prepend(-1L).ToArray()) }, output);
    }
}
