using System;
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
public sealed class LstmLayer : nn.Module<Tensor, Tensor>
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
}

/// <summary>
/// A GRU over <c>[N, T, D]</c> (<c>[GRU(units, ReturnSequences, Bidirectional)]</c>): every step's output or only the final state.
/// </summary>
[LayerShape(
    "[T, D] -> [T, units * (1 + bidirectional)] where returnSequences == 1 params 3 * units * (D + units + 2) * (1 + bidirectional) " +
    "| [T, D] -> [units * (1 + bidirectional)] where returnSequences == 0 params 3 * units * (D + units + 2) * (1 + bidirectional)")]
public sealed class GruLayer : nn.Module<Tensor, Tensor>
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
}

/// <summary>Helpers shared by the recurrent layers.</summary>
internal static class Recurrence
{
    /// <summary>The last layer's final hidden state, directions concatenated: <c>[directions, N, H]</c> to <c>[N, directions·H]</c>.</summary>
    public static Tensor FinalState(Tensor hidden) => hidden.permute(1, 0, 2).reshape(hidden.shape[1], -1);
}
