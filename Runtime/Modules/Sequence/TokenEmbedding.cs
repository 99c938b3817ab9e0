using System;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LayerDsl.Modules;

/// <summary>Token ids <c>[N, T]</c> (int64) to vectors <c>[N, T, dim]</c>: a learned table of <c>vocab</c> rows (<c>[Embedding(vocab, dim)]</c>).</summary>
[LayerShape("[T] -> [T, dim] params vocab * dim")]
public sealed class TokenEmbedding : nn.Module<Tensor, Tensor>
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
}

/// <summary>Adds a learned vector per position to <c>[N, T, D]</c> (<c>[PositionalEmbedding]</c>), so that later layers can tell positions apart.</summary>
[LayerShape("[T, D] -> [T, D] params T * D")]
public sealed class PositionalEmbedding : nn.Module<Tensor, Tensor>
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
}

/// <summary>A dense layer applied at every position: <c>[..., F]</c> to <c>[..., units]</c> (<c>[PositionwiseDense(units)]</c>), as Keras' Dense on sequences.</summary>
[LayerShape("[..., F] -> [..., units] params F * units + units")]
public sealed class PositionwiseDense : nn.Module<Tensor, Tensor>
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
}
