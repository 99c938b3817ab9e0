using System;
using System.Collections.Generic;
using System.Linq;
using LayerDsl.Export;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LayerDsl.Modules;

/// <summary>
/// An LSTM over <c>[N, T, D]</c> (<c>[LSTM(units, ReturnSequences, Bidirectional)]</c>): every step's output
/// <c>[N, T, units·directions]</c>, or only the final state <c>[N, units·directions]</c> (forward and backward final states
/// concatenated when bidirectional).
/// </summary>
[LayerShape(
    "[T, D] -> [T, units * (1 + bidirectional)] where returnSequences == 1 params 4 * units * (D + units + 2) * (1 + bidirectional) " +
    "| [T, D] -> [units * (1 + bidirectional)] where returnSequences == 0 params 4 * units * (D + units + 2) * (1 + bidirectional)")]
public sealed class LstmLayer : nn.Module<Tensor, Tensor>, IOnnxExportable
{
    private readonly LSTM lstm;
    private readonly bool returnSequences;

    /// <summary>Creates the layer.</summary>
    /// <param name="D">Input features per step.</param>
    /// <param name="units">Hidden size per direction.</param>
    /// <param name="returnSequences">True for every step's output, false for the final state only.</param>
    /// <param name="bidirectional">True to run a second LSTM backwards over the sequence.</param>
    public LstmLayer(long D, long units, bool returnSequences = false, bool bidirectional = false)
        : base(nameof(LstmLayer))
    {
        lstm = nn.LSTM(D, units, bidirectional: bidirectional, batchFirst: true);
        this.returnSequences = returnSequences;
        RegisterComponents();
    }

    /// <summary>Runs the LSTM.</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var (output, hidden, _) = lstm.call(input, null);
        return (returnSequences ? output : Recurrence.FinalState(hidden)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// ONNX <c>LSTM</c> between two <c>Transpose</c>s (ONNX runs time-major) and a <c>Reshape</c> that joins the
    /// directions; the gates regrouped from PyTorch's order (i, f, g, o) to ONNX's (i, o, f, c) in the initializers
    /// <c>name.W</c>, <c>name.R</c> and <c>name.B</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The input is not [batch, T, D] with this layer's D.</exception>
    public string ExportOnnx(OnnxGraphBuilder builder, string input, string name) =>
        Recurrence.ExportOnnx(builder, lstm, nameof(LstmLayer), "LSTM", new[] { 0, 3, 1, 2 }, returnSequences, input,
            name, "lstm");
}

/// <summary>
/// A GRU over <c>[N, T, D]</c> (<c>[GRU(units, ReturnSequences, Bidirectional)]</c>): every step's output or only the final state.
/// </summary>
[LayerShape(
    "[T, D] -> [T, units * (1 + bidirectional)] where returnSequences == 1 params 3 * units * (D + units + 2) * (1 + bidirectional) " +
    "| [T, D] -> [units * (1 + bidirectional)] where returnSequences == 0 params 3 * units * (D + units + 2) * (1 + bidirectional)")]
public sealed class GruLayer : nn.Module<Tensor, Tensor>, IOnnxExportable
{
    private readonly GRU gru;
    private readonly bool returnSequences;

    /// <summary>Creates the layer.</summary>
    /// <param name="D">Input features per step.</param>
    /// <param name="units">Hidden size per direction.</param>
    /// <param name="returnSequences">True for every step's output, false for the final state only.</param>
    /// <param name="bidirectional">True to run a second GRU backwards over the sequence.</param>
    public GruLayer(long D, long units, bool returnSequences = false, bool bidirectional = false)
        : base(nameof(GruLayer))
    {
        gru = nn.GRU(D, units, bidirectional: bidirectional, batchFirst: true);
        this.returnSequences = returnSequences;
        RegisterComponents();
    }

    /// <summary>Runs the GRU.</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var (output, hidden) = gru.call(input, null);
        return (returnSequences ? output : Recurrence.FinalState(hidden)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// ONNX <c>GRU</c> (linear_before_reset = 1, as PyTorch computes the new gate) between two <c>Transpose</c>s and a
    /// <c>Reshape</c>; the gates regrouped from PyTorch's order (r, z, n) to ONNX's (z, r, h) in the initializers
    /// <c>name.W</c>, <c>name.R</c> and <c>name.B</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The input is not [batch, T, D] with this layer's D.</exception>
    public string ExportOnnx(OnnxGraphBuilder builder, string input, string name) =>
        Recurrence.ExportOnnx(builder, gru, nameof(GruLayer), "GRU", new[] { 1, 0, 2 }, returnSequences, input,
            name, "gru", OnnxAttribute.Int("linear_before_reset", 1));
}

/// <summary>Helpers shared by the recurrent layers.</summary>
internal static class Recurrence
{
    /// <summary>The last layer's final hidden state, directions concatenated: <c>[directions, N, H]</c> to <c>[N, directions·H]</c>.</summary>
    public static Tensor FinalState(Tensor hidden) => hidden.permute(1, 0, 2).reshape(hidden.shape[1], -1);

    /// <summary>
    /// A one-layer, batch-first PyTorch LSTM or GRU as the ONNX operator: [batch, T, D] transposed to [T, batch, D];
    /// the weights of each direction with their gates regrouped (<paramref name="gateOrder"/>: ONNX's gate g is
    /// PyTorch's gate <c>gateOrder[g]</c>) and stacked as W [directions, gates·H, D], R [directions, gates·H, H] and
    /// B [directions, 2·gates·H] (input biases, then hidden ones); then either every step's output Y
    /// [T, directions, batch, H] to [batch, T, directions·H], or the final state Y_h [directions, batch, H] to
    /// [batch, directions·H].
    /// </summary>
    public static string ExportOnnx(OnnxGraphBuilder builder, nn.Module recurrence, string kind, string opType,
        int[] gateOrder, bool returnSequences, string input, string? name, string prefix, params OnnxAttribute[] attributes)
    {
        ArgumentNullException.ThrowIfNull(builder);
        string layer = builder.LayerName(name, prefix);
        var parameters = recurrence.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
        long gates = gateOrder.Length;
        long hidden = parameters["weight_hh_l0"].shape[1], features = parameters["weight_ih_l0"].shape[1];
        string[] directions = parameters.ContainsKey("weight_ih_l0_reverse") ? new[] { "", "_reverse" } : new[] { "" };
        long[] shape = builder.Expect(input, layer, kind, 2, "T, D");
        if (shape[1] != features)
            throw new ArgumentException(
                $"The layer '{layer}' ({kind}) expects {features} features per step; '{input}' has shape {OnnxGraphBuilder.FormatShape(shape)}. "
                + "Check the layer before it.",
                nameof(input));
        long steps = shape[0], width = directions.Length * hidden;

        using var scope = NewDisposeScope();
        Tensor Regroup(string key)
        {
            Tensor[] chunks = parameters[key].detach().chunk(gates, 0);
            return cat(gateOrder.Select(g => chunks[g]).ToArray(), 0);
        }
        Tensor w = stack(directions.Select(d => Regroup("weight_ih_l0" + d)).ToArray(), 0);
        Tensor r = stack(directions.Select(d => Regroup("weight_hh_l0" + d)).ToArray(), 0);
        Tensor b = stack(directions.Select(d => cat(new[] { Regroup("bias_ih_l0" + d), Regroup("bias_hh_l0" + d) }, 0)).ToArray(), 0);

        string timeMajor = builder.Step(layer, "time_major", "Transpose", new[] { input }, null, OnnxAttribute.Ints("perm", 1, 0, 2));
        string[] inputs = { timeMajor, builder.Weight(layer, "W", w), builder.Weight(layer, "R", r), builder.Weight(layer, "B", b) };
        var operatorAttributes = new List<OnnxAttribute>
        {
            OnnxAttribute.Int("hidden_size", hidden),
            OnnxAttribute.String("direction", directions.Length == 2 ? "bidirectional" : "forward"),
        };
        operatorAttributes.AddRange(attributes);

        if (returnSequences)
        {
            string sequence = builder.StepOutput(layer, "sequence", opType, inputs, 0, operatorAttributes.ToArray());
            string batchFirst = builder.Step(layer, "batch_first", "Transpose", new[] { sequence }, null,
                OnnxAttribute.Ints("perm", 2, 0, 1, 3));
            return builder.Final(layer, "Reshape", new[] { batchFirst, builder.Int64s(layer, "shape", 0, steps, width) },
                new[] { steps, width });
        }

        string state = builder.StepOutput(layer, "final_state", opType, inputs, 1, operatorAttributes.ToArray());
        string perSample = builder.Step(layer, "batch_first", "Transpose", new[] { state }, null, OnnxAttribute.Ints("perm", 1, 0, 2));
        return builder.Final(layer, "Reshape", new[] { perSample, builder.Int64s(layer, "shape", 0, width) }, new[] { width });
    }
}
