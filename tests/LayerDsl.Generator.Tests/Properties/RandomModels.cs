using System;
using System.Collections.Generic;
using System.Linq;

namespace LayerDsl.Generator.Tests.Properties;

/// <summary>The deliberate fault a random model carries, if any.</summary>
public enum RandomFault
{
    None,
    /// <summary>A zero or negative input size (LDSL0010).</summary>
    Input,
    /// <summary>A window larger than its (padded, dilated) input, or a transposed convolution padded away (LDSL0011).</summary>
    Window,
    /// <summary>A layer on an input of a rank it does not take (LDSL0012).</summary>
    Rank,
    /// <summary>A Dense pinned to the wrong number of input features (LDSL0013).</summary>
    InFeatures,
    /// <summary>A zero or negative size, stride, dilation, group count or repeat (LDSL0010).</summary>
    NonPositive,
    /// <summary>An argument outside its range: a rate, epsilon, enum value, output padding, axes, shape (LDSL0010).</summary>
    OutOfRange,
    /// <summary>A sample or a parameter count beyond the 32- and 64-bit limits (LDSL0014).</summary>
    Huge,
    /// <summary>A residual block that changes the shape without a possible projection (LDSL0024).</summary>
    Residual,
    /// <summary>Branches of Concat or Add whose shapes do not combine (LDSL0025).</summary>
    Branches,
    /// <summary>A grouped convolution whose input channels do not split into its groups (LDSL0028).</summary>
    Groups,
    /// <summary>A Reshape that changes the number of values (LDSL0027).</summary>
    Reshape,
    /// <summary>Blocks that place each other in a cycle (LDSL0022).</summary>
    Cycle,
    /// <summary>A placed class that is not a block: a plain class, one that forgot [Block], a block with an [Input], the model itself (LDSL0021).</summary>
    NotABlock,
    /// <summary>A placed block with errors of its own: not partial, empty, or a bad argument (LDSL0023).</summary>
    BlockErrors,
}

/// <summary>
/// A seeded generator of random models over every layer kind, option and composition: inputs of rank 1, 2 and 3,
/// blocks declared in the same file and placed with <c>Use</c> (repeated), <c>Residual</c> (with and without
/// projection), <c>Concat</c> and <c>Add</c>, nested up to three blocks deep, blocks reused at other shapes. Most
/// models are built to fit (each layer chosen for the shape it receives, as <see cref="ReferenceShapes"/> computes it);
/// about a third carry one deliberate fault, at the model's level or inside a block, and chance adds more.
/// </summary>
public static class RandomModels
{
    /// <summary>Largest per-sample cost of a model that is run (multiply-adds), so that each forward takes milliseconds.</summary>
    public const long MaxMultiplyAdds = 2_000_000;

    /// <summary>Largest number of trainable parameters of a model that is run.</summary>
    public const long MaxParameters = 500_000;

    /// <summary>The seed of model <paramref name="index"/> of a run seeded with <paramref name="runSeed"/>.</summary>
    public static int ModelSeed(int runSeed, int index) => unchecked((runSeed * 1_000_003) ^ (index * 7_919) ^ 0x5f3759df);

    public static RandomModel Create(int runSeed, int index)
    {
        var seed = ModelSeed(runSeed, index);
        var random = new Random(seed);

        // Resample (from the same stream, so still replayable) until a model that would be run is cheap enough.
        for (var attempt = 0; ; attempt++)
        {
            var model = new ModelBuilder(random, index, seed, shrink: attempt >= 10).Build();
            var reference = ReferenceShapes.Infer(model);
            if (!reference.IsValid || (reference.MultiplyAdds <= MaxMultiplyAdds && reference.Parameters <= MaxParameters) || attempt >= 40)
            {
                return model;
            }
        }
    }
}

/// <summary>Builds one random model; see <see cref="RandomModels"/>.</summary>
internal sealed class ModelBuilder
{
    private const int MaxDepth = 3;
    private const int MaxDeclarations = 20;

    /// <summary>Block names, none a prefix of another, none a layer's field prefix.</summary>
    private static readonly string[] Names =
    {
        "Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel", "India", "Juliet", "Kilo", "Lima", "Mike",
        "November", "Oscar", "Papa", "Quebec", "Romeo", "Sierra", "Tango", "Uniform", "Victor", "Whiskey", "Xray", "Yankee", "Zulu",
        "Amber", "Basil", "Cedar", "Dune", "Ember", "Fern", "Grove", "Heath", "Iris", "Jade", "Kelp", "Lotus", "Nectar", "Opal",
    };

    private static readonly RandomLayerKind[] ActivationKinds =
    {
        RandomLayerKind.ReLU, RandomLayerKind.Tanh, RandomLayerKind.Sigmoid, RandomLayerKind.Softmax, RandomLayerKind.GELU,
        RandomLayerKind.SiLU, RandomLayerKind.Hardswish, RandomLayerKind.LeakyReLU, RandomLayerKind.ELU,
    };

    private readonly Random random;
    private readonly int index;
    private readonly int seed;
    private readonly bool shrink;
    private readonly List<RandomLayer> layers = new();
    private readonly List<RandomDeclaration> declarations = new();
    private readonly Dictionary<string, int> heights = new();
    private readonly RandomModel scratch;
    private int names;

    public ModelBuilder(Random random, int index, int seed, bool shrink)
    {
        this.random = random;
        this.index = index;
        this.seed = seed;
        this.shrink = shrink;
        scratch = new RandomModel(index, seed, Array.Empty<long>(), string.Empty, layers, declarations, 0);
    }

    public RandomModel Build()
    {
        var fault = random.NextDouble() < 0.3 ? (RandomFault)random.Next(1, 15) : RandomFault.None;
        var rank = random.NextDouble() switch
        {
            < 0.5 => 3,
            < 0.75 => 2,
            _ => 1,
        };
        long[] input = rank switch
        {
            3 => Image(),
            2 => new long[] { LogUniform(1, shrink ? 8 : 32), LogUniform(1, shrink ? 64 : 400) },
            _ => new long[] { LogUniform(1, shrink ? 64 : 512) },
        };
        var declared = input.ToArray();
        if (fault == RandomFault.Input)
        {
            declared[random.Next(rank)] = -random.Next(3);
        }

        var count = random.Next(1, 7);
        var faultAt = random.Next(count);
        var shape = input;
        for (var i = 0; i < count; i++)
        {
            if (i == faultAt && IsLayerFault(fault))
            {
                layers.AddRange(PlacedFault(fault, shape, depth: 0));
                continue;
            }

            var (layer, output) = Fitting(shape, 0, preserve: false);
            layers.Add(layer);
            shape = output ?? shape;
        }

        switch (fault)
        {
            case RandomFault.Cycle:
                Cycle(faultAt);
                break;
            case RandomFault.NotABlock:
                NotABlock(faultAt);
                break;
            case RandomFault.BlockErrors:
                BlockErrors(faultAt, input);
                break;
        }

        if (random.NextDouble() < 0.05 && declarations.Count < MaxDeclarations)
        {
            // A block no model places: emitted all the same, with no input shape to build.
            BlockFor(input, 1, Target.Any);
        }

        for (var i = 0; i < layers.Count; i++)
        {
            layers[i] = layers[i] with { Text = Spelling.Of(random, layers[i]) };
        }

        foreach (var declaration in declarations)
        {
            declaration.Layers = declaration.Layers.Select(l => l with { Text = Spelling.Of(random, l) }).ToList();
        }

        var order = declarations.OrderBy(_ => random.Next()).ToList();
        return new RandomModel(index, seed, declared, Spelling.Input(random, declared), layers, order, random.Next(order.Count + 1)) { Fault = fault };
    }

    private long[] Image()
    {
        var height = LogUniform(1, shrink ? 24 : 128);
        var width = random.NextDouble() < 0.5 ? height : LogUniform(1, shrink ? 24 : 128);
        return new long[] { LogUniform(1, shrink ? 8 : 32), height, width };
    }

    private static bool IsLayerFault(RandomFault fault) => fault is not (RandomFault.None or RandomFault.Input or RandomFault.Cycle or RandomFault.NotABlock or RandomFault.BlockErrors);

    // ---- Fitting layers ----------------------------------------------------------------------------------------------

    /// <summary>
    /// A layer that fits <paramref name="shape"/> (with <paramref name="preserve"/>, one that keeps every dimension but the
    /// first), and its output; after a few misses, an activation, or now and then the miss itself (a chance fault, output null).
    /// </summary>
    private (RandomLayer Layer, long[]? Output) Fitting(long[] shape, int depth, bool preserve)
    {
        RandomLayer? last = null;
        for (var attempt = 0; attempt < 4; attempt++)
        {
            var mark = declarations.Count;
            var layer = Propose(shape, depth, preserve);
            last = layer;
            var output = ReferenceShapes.Output(scratch, new[] { layer }, shape);
            if (output is not null && (!preserve || KeepsSpatial(shape, output)) && Cheap(output))
            {
                return (layer, output);
            }

            Rollback(mark);
        }

        if (!preserve && random.NextDouble() < 0.3 && last is { IsComposite: false })
        {
            return (last, null);
        }

        return (Activation(), shape);
    }

    private bool Cheap(long[] output) => output.Aggregate(1L, (a, b) => a * b) <= (shrink ? 20_000 : 150_000);

    private static bool KeepsSpatial(long[] input, long[] output) => input.Length == output.Length && input.Skip(1).SequenceEqual(output.Skip(1));

    private RandomLayer Propose(long[] shape, int depth, bool preserve)
    {
        var composite = depth < MaxDepth && declarations.Count < MaxDeclarations ? 1.0 : 0.0;
        var choices = (shape.Length, preserve) switch
        {
            (3, false) => new (RandomLayerKind?, double)[]
            {
                (RandomLayerKind.Conv2D, 4), (RandomLayerKind.DepthwiseConv2D, 1.2), (RandomLayerKind.ConvTranspose2D, 0.8), (RandomLayerKind.MaskedConv, 1),
                (RandomLayerKind.MaxPool2D, 1.2), (RandomLayerKind.AvgPool2D, 0.8), (RandomLayerKind.GlobalAvgPool2D, 0.4), (RandomLayerKind.GlobalMaxPool2D, 0.3),
                (RandomLayerKind.Upsample2D, 0.5), (RandomLayerKind.Flatten, 0.5), (RandomLayerKind.Dense, 0.6), (RandomLayerKind.Dropout, 0.3),
                (RandomLayerKind.BatchNorm, 0.6), (RandomLayerKind.LayerNorm, 0.3), (RandomLayerKind.Reshape, 0.5), (RandomLayerKind.Permute, 0.4),
                (null, 1.5), (RandomLayerKind.Use, 2.2 * composite),
            },
            (3, true) => new (RandomLayerKind?, double)[]
            {
                (RandomLayerKind.Conv2D, 3), (RandomLayerKind.DepthwiseConv2D, 1), (RandomLayerKind.ConvTranspose2D, 0.4), (RandomLayerKind.MaskedConv, 0.6),
                (RandomLayerKind.Dropout, 0.3), (RandomLayerKind.BatchNorm, 0.6), (RandomLayerKind.LayerNorm, 0.3), (null, 1.5), (RandomLayerKind.Use, 1.5 * composite),
            },
            (2, false) => new (RandomLayerKind?, double)[]
            {
                (RandomLayerKind.Conv1D, 4), (RandomLayerKind.MaxPool1D, 1), (RandomLayerKind.AvgPool1D, 0.8), (RandomLayerKind.GlobalAvgPool1D, 0.4),
                (RandomLayerKind.GlobalMaxPool1D, 0.3), (RandomLayerKind.Flatten, 0.5), (RandomLayerKind.Dense, 0.6), (RandomLayerKind.Dropout, 0.3),
                (RandomLayerKind.BatchNorm, 0.6), (RandomLayerKind.LayerNorm, 0.4), (RandomLayerKind.Reshape, 0.5), (RandomLayerKind.Permute, 0.5),
                (null, 1.5), (RandomLayerKind.Use, 2.2 * composite),
            },
            (2, true) => new (RandomLayerKind?, double)[]
            {
                (RandomLayerKind.Conv1D, 3), (RandomLayerKind.Dropout, 0.3), (RandomLayerKind.BatchNorm, 0.6), (RandomLayerKind.LayerNorm, 0.4), (null, 1.5), (RandomLayerKind.Use, 1.5 * composite),
            },
            (1, _) => new (RandomLayerKind?, double)[]
            {
                (RandomLayerKind.Dense, 4), (RandomLayerKind.Dropout, 0.5), (RandomLayerKind.BatchNorm, 0.6), (RandomLayerKind.LayerNorm, 0.6),
                (RandomLayerKind.Reshape, preserve ? 0 : 0.6), (RandomLayerKind.Permute, 0.15), (RandomLayerKind.Flatten, 0.3), (null, 1.5), (RandomLayerKind.Use, 2 * composite),
            },
            (_, false) => new (RandomLayerKind?, double)[]
            {
                (RandomLayerKind.Flatten, 2), (RandomLayerKind.Dense, 2), (RandomLayerKind.Reshape, 2), (RandomLayerKind.Permute, 1), (RandomLayerKind.LayerNorm, 0.5),
                (null, 1), (RandomLayerKind.Dropout, 0.3), (RandomLayerKind.Use, 0.8 * composite),
            },
            _ => new (RandomLayerKind?, double)[]
            {
                (RandomLayerKind.LayerNorm, 0.5), (null, 1), (RandomLayerKind.Dropout, 0.3), (RandomLayerKind.Use, 0.8 * composite),
            },
        };

        var kind = Pick(choices);
        var size = shape.Aggregate(1L, (a, b) => a * b);
        switch (kind)
        {
            case null:
                return Activation();
            case RandomLayerKind.Conv2D:
                return Conv2D(shape, preserve);
            case RandomLayerKind.DepthwiseConv2D:
                return Geometry(new RandomLayer { Kind = RandomLayerKind.DepthwiseConv2D, DepthMultiplier = Chance(0.7) ? 1 : random.Next(2, 4) }, shape, preserve, maxKernel: 7);
            case RandomLayerKind.ConvTranspose2D:
                return ConvTranspose2D(shape, preserve);
            case RandomLayerKind.MaskedConv:
                return Masked(shape, preserve);
            case RandomLayerKind.Conv1D:
                return Conv1D(shape, preserve);
            case RandomLayerKind.MaxPool2D:
            case RandomLayerKind.AvgPool2D:
            {
                var square = Chance(0.7);
                var height = random.Next(1, (int)Math.Min(square ? Math.Min(shape[1], shape[2]) : shape[1], 8) + 1);
                var width = square ? height : random.Next(1, (int)Math.Min(shape[2], 8) + 1);
                var layer = new RandomLayer { Kind = kind.Value, Square = square, KernelHeight = height, KernelWidth = width, Stride = Chance(0.5) ? 0 : random.Next(1, 5) };
                return Chance(0.2) ? layer with { StrideHeight = random.Next(1, 5), StrideWidth = random.Next(1, 5) } : layer;
            }

            case RandomLayerKind.MaxPool1D:
            case RandomLayerKind.AvgPool1D:
                return new RandomLayer { Kind = kind.Value, KernelHeight = random.Next(1, (int)Math.Min(shape[1], 8) + 1), Stride = Chance(0.5) ? 0 : random.Next(1, 5) };
            case RandomLayerKind.GlobalAvgPool2D:
            case RandomLayerKind.GlobalMaxPool2D:
            case RandomLayerKind.GlobalAvgPool1D:
            case RandomLayerKind.GlobalMaxPool1D:
            case RandomLayerKind.Flatten:
                return new RandomLayer { Kind = kind.Value };
            case RandomLayerKind.Upsample2D:
                return new RandomLayer { Kind = RandomLayerKind.Upsample2D, Scale = random.Next(1, 4), Mode = Chance(0.5) ? 0 : 2 };
            case RandomLayerKind.Dense:
                return Dense(LogUniform(1, 64), Chance(0.3) && size <= int.MaxValue ? size : 0);
            case RandomLayerKind.Dropout:
                return new RandomLayer { Kind = RandomLayerKind.Dropout, Rate = Math.Round(random.NextDouble() * 0.9, 2) };
            case RandomLayerKind.BatchNorm:
                return new RandomLayer { Kind = RandomLayerKind.BatchNorm, Epsilon = Chance(0.7) ? 1e-5 : 1e-3, Momentum = Chance(0.7) ? 0.1 : Math.Round(random.NextDouble(), 2) };
            case RandomLayerKind.LayerNorm:
                return new RandomLayer { Kind = RandomLayerKind.LayerNorm, Epsilon = Chance(0.7) ? 1e-5 : 1e-3 };
            case RandomLayerKind.Reshape:
                return new RandomLayer { Kind = RandomLayerKind.Reshape, Dims = Reshaped(shape) };
            case RandomLayerKind.Permute:
                return new RandomLayer { Kind = RandomLayerKind.Permute, Dims = Enumerable.Range(0, shape.Length).Select(i => (long)i).OrderBy(_ => random.Next()).ToArray() };
            default:
                return Composite(shape, depth, preserve);
        }
    }

    private RandomLayer Activation()
    {
        var kind = ActivationKinds[random.Next(ActivationKinds.Length)];
        var parameter = kind switch
        {
            RandomLayerKind.LeakyReLU when Chance(0.5) => new[] { 0.2, 0.01, -0.1, 0, 3 }[random.Next(5)],
            RandomLayerKind.ELU when Chance(0.5) => new[] { 0.5, 1, 2.5 }[random.Next(3)],
            _ => double.NaN,
        };
        return new RandomLayer { Kind = kind, Parameter = parameter };
    }

    private RandomLayer Dense(long units, long inFeatures) => new()
    {
        Kind = RandomLayerKind.Dense, Size = units, InFeatures = inFeatures, UseBias = Chance(0.85), Activation = RandomActivation(),
    };

    private int RandomActivation() => Chance(0.5) ? 0 : random.Next(1, 10);

    private RandomLayer Conv2D(long[] shape, bool preserve)
    {
        long filters = LogUniform(1, shrink ? 8 : 32);
        long groups = 1;
        if (Chance(0.2) && shape[0] > 1)
        {
            var divisors = Enumerable.Range(2, 7).Where(g => shape[0] % g == 0).ToList();
            if (divisors.Count > 0)
            {
                groups = divisors[random.Next(divisors.Count)];
                filters = groups * Math.Max(1, filters / groups);
            }
        }

        return Geometry(new RandomLayer { Kind = RandomLayerKind.Conv2D, Size = filters, Groups = groups }, shape, preserve, maxKernel: 7);
    }

    /// <summary>The kernel, strides, padding and dilation of a 2-D convolution that fits <paramref name="shape"/>, written in one of the ways the attribute allows.</summary>
    private RandomLayer Geometry(RandomLayer layer, long[] shape, bool preserve, int maxKernel)
    {
        var square = Chance(0.7);
        var dilation = Chance(0.15) ? random.Next(2, 4) : 1;
        var mode = preserve ? (Chance(0.6) ? 1 : 3) : random.NextDouble() switch
        {
            < 0.45 => 0,
            < 0.75 => 1,
            _ => 2,
        };
        long ph = 0, pw = 0, kh, kw;
        switch (mode)
        {
            case 1:
                kh = random.Next(1, maxKernel);
                kw = square ? kh : random.Next(1, maxKernel);
                break;
            case 3:
                // Explicit padding that keeps the size at stride 1: an odd kernel, padded by half its dilated span.
                kh = (2 * random.Next(0, 3)) + 1;
                kw = square ? kh : (2 * random.Next(0, 3)) + 1;
                ph = dilation * (kh - 1) / 2;
                pw = dilation * (kw - 1) / 2;
                break;
            default:
                if (mode == 2)
                {
                    ph = random.Next(0, 3);
                    pw = Chance(0.5) ? ph : random.Next(0, 3);
                }

                var limitH = Math.Min(maxKernel, ((shape[1] + (2 * ph) - 1) / dilation) + 1);
                var limitW = Math.Min(maxKernel, ((shape[2] + (2 * pw) - 1) / dilation) + 1);
                kh = random.Next(1, (int)(square ? Math.Min(limitH, limitW) : limitH) + 1);
                kw = square ? kh : random.Next(1, (int)limitW + 1);
                break;
        }

        layer = layer with
        {
            Square = square && kh == kw, KernelHeight = kh, KernelWidth = kw, Dilation = dilation, Padding = mode == 1 ? 1 : 0,
            UseBias = Chance(0.85), Activation = RandomActivation(),
        };
        layer = WithPads(layer, ph, pw);
        var strided = !preserve && Chance(0.4);
        return WithStrides(layer, strided ? random.Next(1, 4) : 1, strided ? random.Next(1, 4) : 1);
    }

    /// <summary>Writes strides as one <c>Stride</c>, as <c>StrideHeight</c> and <c>StrideWidth</c>, or as a common value with one override.</summary>
    private RandomLayer WithStrides(RandomLayer layer, long height, long width)
    {
        if (height == width && Chance(0.8))
        {
            return layer with { Stride = height };
        }

        return Chance(0.5)
            ? layer with { Stride = 1, StrideHeight = height, StrideWidth = width }
            : layer with { Stride = height, StrideWidth = width == height ? 0 : width };
    }

    private RandomLayer WithPads(RandomLayer layer, long height, long width)
    {
        if (height == width)
        {
            return Chance(0.7) ? layer with { Pad = height } : layer with { PadHeight = height, PadWidth = width };
        }

        if (height == 0 || width == 0)
        {
            return layer with { PadHeight = height, PadWidth = width };
        }

        return Chance(0.5) ? layer with { PadHeight = height, PadWidth = width } : layer with { Pad = height, PadWidth = width };
    }

    private RandomLayer ConvTranspose2D(long[] shape, bool preserve)
    {
        var square = Chance(0.7);
        var kh = random.Next(1, 5);
        var kw = square ? kh : random.Next(1, 5);
        var dilation = Chance(0.15) ? 2 : 1;
        var same = preserve || Chance(0.4);
        var sh = preserve ? 1 : random.Next(1, 4);
        var sw = preserve ? 1 : (Chance(0.8) ? sh : random.Next(1, 4));
        var layer = new RandomLayer
        {
            Kind = RandomLayerKind.ConvTranspose2D, Size = LogUniform(1, shrink ? 8 : 16), Square = square && kh == kw, KernelHeight = kh, KernelWidth = kw,
            Dilation = dilation, Padding = same ? 1 : 0, UseBias = Chance(0.85), Activation = RandomActivation(),
        };
        if (!same)
        {
            if (Chance(0.3))
            {
                layer = WithPads(layer, random.Next(0, 2), random.Next(0, 2));
            }

            var limit = Math.Max(Math.Min(sh, sw), dilation);
            if (limit > 1 && Chance(0.4))
            {
                layer = layer with { OutputPadding = random.Next(1, limit) };
            }
        }

        return WithStrides(layer, sh, sw);
    }

    private RandomLayer Masked(long[] shape, bool preserve)
    {
        var same = preserve || Chance(0.4);
        var kernel = same ? random.Next(1, 6) : random.Next(1, (int)Math.Min(Math.Min(shape[1], shape[2]), 5) + 1);
        return new RandomLayer
        {
            Kind = RandomLayerKind.MaskedConv, KernelHeight = kernel, KernelWidth = kernel, Size = LogUniform(1, shrink ? 8 : 16),
            Stride = preserve || Chance(0.6) ? 1 : random.Next(2, 4), Padding = same ? 1 : 0, MaskActivation = random.Next(2),
            Activation = Chance(0.5) ? 1 : random.Next(10), UseBias = Chance(0.5),
        };
    }

    private RandomLayer Conv1D(long[] shape, bool preserve)
    {
        long filters = LogUniform(1, shrink ? 8 : 32);
        long groups = 1;
        if (Chance(0.2) && shape[0] > 1)
        {
            var divisors = Enumerable.Range(2, 7).Where(g => shape[0] % g == 0).ToList();
            if (divisors.Count > 0)
            {
                groups = divisors[random.Next(divisors.Count)];
                filters = groups * Math.Max(1, filters / groups);
            }
        }

        var dilation = Chance(0.15) ? random.Next(2, 4) : 1;
        var mode = preserve ? (Chance(0.6) ? 1 : 3) : random.NextDouble() switch
        {
            < 0.45 => 0,
            < 0.75 => 1,
            _ => 2,
        };
        long pad = 0, kernel;
        switch (mode)
        {
            case 1:
                kernel = random.Next(1, 8);
                break;
            case 3:
                kernel = (2 * random.Next(0, 3)) + 1;
                pad = dilation * (kernel - 1) / 2;
                break;
            default:
                pad = mode == 2 ? random.Next(0, 3) : 0;
                kernel = random.Next(1, (int)Math.Min(7, ((shape[1] + (2 * pad) - 1) / dilation) + 1) + 1);
                break;
        }

        return new RandomLayer
        {
            Kind = RandomLayerKind.Conv1D, Size = filters, KernelHeight = kernel, Stride = preserve || Chance(0.6) ? 1 : random.Next(2, 4),
            Padding = mode == 1 ? 1 : 0, Pad = pad, Dilation = dilation, Groups = groups, UseBias = Chance(0.85), Activation = RandomActivation(),
        };
    }

    /// <summary>A new shape with the same number of values: adjacent dimensions merged or split, a 1 added, or one dimension left to -1.</summary>
    private long[] Reshaped(long[] shape)
    {
        var dims = shape.ToList();
        for (var step = random.Next(1, 3); step > 0; step--)
        {
            var i = random.Next(dims.Count);
            switch (random.Next(4))
            {
                case 0 when dims.Count > 1 && i + 1 < dims.Count:
                    dims[i] *= dims[i + 1];
                    dims.RemoveAt(i + 1);
                    break;
                case 1 when dims.Count < 4:
                    var divisors = Enumerable.Range(2, 7).Where(d => dims[i] % d == 0 && dims[i] > d).ToList();
                    if (divisors.Count > 0)
                    {
                        var d = divisors[random.Next(divisors.Count)];
                        dims[i] /= d;
                        dims.Insert(i + 1, d);
                    }

                    break;
                case 2 when dims.Count < 4:
                    dims.Insert(random.Next(dims.Count + 1), 1);
                    break;
                default:
                    dims = new List<long> { dims.Aggregate(1L, (a, b) => a * b) };
                    break;
            }
        }

        if (Chance(0.4))
        {
            dims[random.Next(dims.Count)] = -1;
        }

        return dims.ToArray();
    }

    // ---- Blocks -----------------------------------------------------------------------------------------------------

    /// <summary>What a block's output must be, given its input.</summary>
    private sealed record Target(string Kind, long[]? Shape = null)
    {
        public static readonly Target Any = new("any");

        /// <summary>Every dimension but the first (channels or features) kept.</summary>
        public static readonly Target Preserve = new("preserve");

        /// <summary>A 1 × 1 projection with some stride maps the input onto the output.</summary>
        public static readonly Target Projectable = new("projectable");

        public static Target Same(long[] shape) => new("same", shape);

        public static Target SpatialLike(long[] shape) => new("spatial", shape);

        public bool Met(long[] input, long[] output) => Kind switch
        {
            "preserve" => KeepsSpatial(input, output),
            "projectable" => input.Length == output.Length && input.Length is >= 1 and <= 3
                && Enumerable.Range(1, 1 + (int)input.Skip(1).DefaultIfEmpty(1).Max()).Any(s => Enumerable.Range(1, input.Length - 1).All(a => ((input[a] - 1) / s) + 1 == output[a])),
            "same" => output.SequenceEqual(Shape!),
            "spatial" => KeepsSpatial(Shape!, output),
            _ => true,
        };

        /// <summary>True when the block's layers must keep every dimension but the first.</summary>
        public bool KeepsSpatialOf(long[] input) => Kind == "preserve" || (Shape is { } shape && KeepsSpatial(input, shape));
    }

    /// <summary>
    /// A block (reused, or new and declared) that, placed at <paramref name="shape"/> at nesting <paramref name="depth"/>,
    /// meets <paramref name="target"/>; null when none was found.
    /// </summary>
    private string? BlockFor(long[] shape, int depth, Target target)
    {
        if (Chance(0.25))
        {
            var reusable = declarations
                .Where(d => d.Kind == RandomDeclarationKind.Block && depth + heights[d.Name] - 1 <= MaxDepth)
                .Where(d => ReferenceShapes.Output(scratch, new[] { Use(d.Name) }, shape) is { } output && target.Met(shape, output))
                .ToList();
            if (reusable.Count > 0)
            {
                return reusable[random.Next(reusable.Count)].Name;
            }
        }

        var preserve = target.KeepsSpatialOf(shape);
        for (var attempt = 0; attempt < 5 && declarations.Count < MaxDeclarations; attempt++)
        {
            var mark = declarations.Count;
            var blockLayers = new List<RandomLayer>();
            var output = shape;
            for (var i = random.Next(1, 4); i > 0; i--)
            {
                var (layer, next) = Fitting(output, depth, preserve);
                if (next is null)
                {
                    break;
                }

                blockLayers.Add(layer);
                output = next;
            }

            if (target.Kind == "same" && output.Length == target.Shape!.Length && KeepsSpatial(output, target.Shape) && output[0] != target.Shape[0] && Pointwise(output, target.Shape[0]) is { } pointwise)
            {
                blockLayers.Add(pointwise);
                output = target.Shape;
            }

            if (blockLayers.Count > 0 && target.Met(shape, output))
            {
                return Declare(blockLayers);
            }

            Rollback(mark);
        }

        return target.Met(shape, shape) && declarations.Count < MaxDeclarations ? Declare(new List<RandomLayer> { Activation() }) : null;
    }

    /// <summary>A 1 × 1 layer that changes only the channels (features) to <paramref name="channels"/>.</summary>
    private static RandomLayer? Pointwise(long[] shape, long channels) => shape.Length switch
    {
        3 => new RandomLayer { Kind = RandomLayerKind.Conv2D, Size = channels, KernelHeight = 1, KernelWidth = 1 },
        2 => new RandomLayer { Kind = RandomLayerKind.Conv1D, Size = channels, KernelHeight = 1 },
        1 => new RandomLayer { Kind = RandomLayerKind.Dense, Size = channels },
        _ => null,
    };

    private string Declare(List<RandomLayer> blockLayers, RandomDeclarationKind kind = RandomDeclarationKind.Block)
    {
        var name = Names[names++];
        declarations.Add(new RandomDeclaration(name, kind, blockLayers));
        heights[name] = 1 + blockLayers.Where(l => l.IsComposite).SelectMany(l => l.Blocks).Select(b => heights.GetValueOrDefault(b)).DefaultIfEmpty(0).Max();
        return name;
    }

    private void Rollback(int mark)
    {
        while (declarations.Count > mark)
        {
            heights.Remove(declarations[^1].Name);
            declarations.RemoveAt(declarations.Count - 1);
            names--;
        }
    }

    private static RandomLayer Use(string block, long repeat = 1) => new() { Kind = RandomLayerKind.Use, Blocks = new[] { block }, Repeat = repeat };

    private RandomLayer Composite(long[] shape, int depth, bool preserve)
    {
        var any = preserve ? Target.Preserve : Target.Any;
        switch (random.NextDouble())
        {
            case < 0.35:
            {
                var block = BlockFor(shape, depth + 1, any);
                if (block is null)
                {
                    return Activation();
                }

                if (Chance(0.35))
                {
                    var repeated = Use(block, random.Next(2, 4));
                    if (ReferenceShapes.Output(scratch, new[] { repeated }, shape) is { } output && (!preserve || KeepsSpatial(shape, output)))
                    {
                        return repeated;
                    }
                }

                return Use(block);
            }

            case < 0.65:
            {
                var project = shape.Length <= 3 && Chance(0.4);
                var block = BlockFor(shape, depth + 1, project ? (preserve ? Target.Preserve : Target.Projectable) : Target.Same(shape));
                return block is null
                    ? Activation()
                    : new RandomLayer { Kind = RandomLayerKind.Residual, Blocks = new[] { block }, Project = project, Activation = RandomActivation() };
            }

            default:
            {
                var concat = Chance(0.6);
                var count = Chance(0.7) ? 2 : random.Next(3, 5);
                var first = BlockFor(shape, depth + 1, any);
                if (first is null || ReferenceShapes.Output(scratch, new[] { Use(first) }, shape) is not { } output)
                {
                    return Activation();
                }

                var branches = new List<string> { first };
                while (branches.Count < count)
                {
                    var next = Chance(0.3) ? null : BlockFor(shape, depth + 1, concat ? Target.SpatialLike(output) : Target.Same(output));
                    branches.Add(next ?? first);
                }

                return new RandomLayer { Kind = concat ? RandomLayerKind.Concat : RandomLayerKind.Add, Blocks = branches.ToArray() };
            }
        }
    }

    // ---- Faults -----------------------------------------------------------------------------------------------------

    /// <summary>The fault's layers at the model's level or, a third of the time, inside a block (one or two levels deep).</summary>
    private List<RandomLayer> PlacedFault(RandomFault fault, long[] shape, int depth)
    {
        if (depth >= MaxDepth - 1 || fault is RandomFault.Residual or RandomFault.Branches || !Chance(0.35) || declarations.Count >= MaxDeclarations - 4)
        {
            return FaultLayers(fault, shape, depth);
        }

        var inner = new List<RandomLayer>();
        var input = shape;
        if (Chance(0.5))
        {
            var (layer, output) = Fitting(shape, depth + 1, preserve: false);
            if (output is not null)
            {
                inner.Add(layer);
                input = output;
            }
        }

        inner.AddRange(Chance(0.3) ? PlacedFault(fault, input, depth + 1) : FaultLayers(fault, input, depth + 1));
        var block = Declare(inner);
        switch (random.Next(5))
        {
            case 0:
                return new List<RandomLayer> { new() { Kind = RandomLayerKind.Residual, Blocks = new[] { block }, Project = Chance(0.5) } };
            case 1 when BlockFor(shape, depth + 1, Target.Any) is { } other:
                return new List<RandomLayer> { new() { Kind = RandomLayerKind.Concat, Blocks = Chance(0.5) ? new[] { other, block } : new[] { block, other } } };
            default:
                return new List<RandomLayer> { Use(block, Chance(0.2) ? 2 : 1) };
        }
    }

    private List<RandomLayer> FaultLayers(RandomFault fault, long[] shape, int depth)
    {
        var list = new List<RandomLayer>();
        switch (fault)
        {
            case RandomFault.Window:
                if (shape.Length is not (2 or 3))
                {
                    // A sequence of one channel first, so that a 1-D window can be too long for it.
                    list.Add(new RandomLayer { Kind = RandomLayerKind.Reshape, Dims = new long[] { 1, -1 } });
                    shape = new[] { 1L, shape.Aggregate(1L, (a, b) => a * b) };
                }

                list.Add(WindowTooLarge(shape));
                break;
            case RandomFault.Rank:
                list.AddRange(WrongRank(shape));
                break;
            case RandomFault.InFeatures:
            {
                var size = shape.Aggregate(1L, (a, b) => a * b);
                var wrong = random.Next(3) switch
                {
                    0 => size + random.Next(1, 10),
                    1 => size > 1 ? Math.Max(1, size - random.Next(1, 10)) : size + 1,
                    _ => shape[0] != size ? shape[0] : size * 2,
                };
                list.Add(Dense(random.Next(1, 16), wrong <= int.MaxValue ? wrong : 999));
                break;
            }

            case RandomFault.NonPositive:
                list.Add(NonPositive(shape, depth));
                break;
            case RandomFault.OutOfRange:
                list.Add(OutOfRange(shape, depth));
                break;
            case RandomFault.Huge:
                list.AddRange(Huge(shape));
                break;
            case RandomFault.Residual:
                list.Add(ResidualMismatch(shape, depth));
                break;
            case RandomFault.Branches:
                list.Add(BranchMismatch(shape, depth));
                break;
            case RandomFault.Groups:
            {
                if (shape.Length is not (2 or 3))
                {
                    list.Add(new RandomLayer { Kind = RandomLayerKind.Reshape, Dims = new long[] { -1, 1 } });
                    shape = new[] { shape.Aggregate(1L, (a, b) => a * b), 1L };
                }

                var channels = shape[0];
                var groups = Enumerable.Range(2, 7).Where(g => channels % g != 0).Select(g => (long)g).OrderBy(_ => random.Next()).DefaultIfEmpty(channels + 1).First();
                var filters = groups * random.Next(1, 4);
                list.Add(shape.Length == 3
                    ? new RandomLayer { Kind = RandomLayerKind.Conv2D, Size = filters, Groups = groups, KernelHeight = 1, KernelWidth = 1 }
                    : new RandomLayer { Kind = RandomLayerKind.Conv1D, Size = filters, Groups = groups, KernelHeight = 1 });
                break;
            }

            case RandomFault.Reshape:
                list.Add(new RandomLayer { Kind = RandomLayerKind.Reshape, Dims = WrongReshape(shape) });
                break;
        }

        return list;
    }

    private RandomLayer WindowTooLarge(long[] shape)
    {
        if (shape.Length == 2)
        {
            var length = shape[1];
            return random.Next(3) switch
            {
                0 => new RandomLayer { Kind = RandomLayerKind.Conv1D, Size = random.Next(1, 8), KernelHeight = length + random.Next(1, 4) },
                1 => new RandomLayer { Kind = RandomLayerKind.Conv1D, Size = random.Next(1, 8), KernelHeight = 3, Dilation = (length / 2) + 1 + random.Next(0, 2) },
                _ => new RandomLayer { Kind = Chance(0.5) ? RandomLayerKind.MaxPool1D : RandomLayerKind.AvgPool1D, KernelHeight = length + random.Next(1, 4) },
            };
        }

        var side = Math.Min(shape[1], shape[2]);
        var kernel = side + random.Next(1, 4);
        switch (random.Next(7))
        {
            case 0:
                return new RandomLayer { Kind = RandomLayerKind.Conv2D, Size = random.Next(1, 8), KernelHeight = kernel, KernelWidth = kernel };
            case 1:
                // Dilated: a 3-tap kernel whose span passes the input.
                return new RandomLayer { Kind = RandomLayerKind.Conv2D, Size = random.Next(1, 8), KernelHeight = 3, KernelWidth = 3, Dilation = (side / 2) + 1 + random.Next(0, 2) };
            case 2:
                // Padded, and still too large.
                return new RandomLayer { Kind = RandomLayerKind.DepthwiseConv2D, KernelHeight = kernel + 2, KernelWidth = kernel + 2, Pad = 1 };
            case 3:
                return new RandomLayer { Kind = RandomLayerKind.MaskedConv, KernelHeight = kernel, KernelWidth = kernel, Size = random.Next(1, 8), Activation = 1 };
            case 4:
                return Chance(0.5)
                    ? new RandomLayer { Kind = Chance(0.5) ? RandomLayerKind.MaxPool2D : RandomLayerKind.AvgPool2D, KernelHeight = kernel, KernelWidth = kernel, Stride = 0 }
                    : new RandomLayer { Kind = RandomLayerKind.MaxPool2D, Square = false, KernelHeight = 1, KernelWidth = shape[2] + random.Next(1, 3), Stride = 0 };
            case 5:
                return new RandomLayer { Kind = RandomLayerKind.Conv2D, Size = random.Next(1, 8), Square = false, KernelHeight = 1, KernelWidth = shape[2] + random.Next(1, 3) };
            default:
            {
                // A transposed convolution padded past its whole output: 2p >= (n - 1)s + d(k - 1) + 1.
                var stride = random.Next(1, 3);
                var k = random.Next(1, 4);
                var pad = (((side - 1) * stride) + k) / 2 + 1 + random.Next(0, 2);
                return new RandomLayer { Kind = RandomLayerKind.ConvTranspose2D, Size = random.Next(1, 8), KernelHeight = k, KernelWidth = k, Stride = stride, Pad = pad };
            }
        }
    }

    private List<RandomLayer> WrongRank(long[] shape)
    {
        var conv2D = new RandomLayer { Kind = RandomLayerKind.Conv2D, Size = 2, KernelHeight = 1, KernelWidth = 1 };
        var conv1D = new RandomLayer { Kind = RandomLayerKind.Conv1D, Size = 2, KernelHeight = 1 };
        var spatial = new[]
        {
            conv2D, new RandomLayer { Kind = RandomLayerKind.MaskedConv, KernelHeight = 1, KernelWidth = 1, Size = 2, Activation = 1 },
            new RandomLayer { Kind = RandomLayerKind.MaxPool2D, KernelHeight = 1, KernelWidth = 1, Stride = 0 },
            new RandomLayer { Kind = RandomLayerKind.AvgPool2D, KernelHeight = 1, KernelWidth = 1, Stride = 1 },
            new RandomLayer { Kind = RandomLayerKind.DepthwiseConv2D, KernelHeight = 1, KernelWidth = 1 },
            new RandomLayer { Kind = RandomLayerKind.ConvTranspose2D, Size = 2, KernelHeight = 1, KernelWidth = 1 },
            new RandomLayer { Kind = RandomLayerKind.Upsample2D, Scale = 2 },
            new RandomLayer { Kind = Chance(0.5) ? RandomLayerKind.GlobalAvgPool2D : RandomLayerKind.GlobalMaxPool2D },
        };
        var sequence = new[]
        {
            conv1D, new RandomLayer { Kind = RandomLayerKind.MaxPool1D, KernelHeight = 1 }, new RandomLayer { Kind = RandomLayerKind.AvgPool1D, KernelHeight = 1, Stride = 1 },
            new RandomLayer { Kind = Chance(0.5) ? RandomLayerKind.GlobalAvgPool1D : RandomLayerKind.GlobalMaxPool1D },
        };
        var permute = new RandomLayer
        {
            Kind = RandomLayerKind.Permute,
            Dims = Enumerable.Range(0, shape.Length == 1 ? 2 : shape.Length + (Chance(0.5) ? 1 : -1)).Select(i => (long)i).Reverse().ToArray(),
        };
        switch (random.Next(4))
        {
            case 0:
                return new List<RandomLayer> { permute };
            case 1 when shape.Length <= 3:
            {
                // A rank-4 tensor (any layer that takes any rank is fine), then a layer that takes ranks 1 to 3 at most.
                var size = shape.Aggregate(1L, (a, b) => a * b);
                return new List<RandomLayer> { new() { Kind = RandomLayerKind.Reshape, Dims = new long[] { 1, size, 1, 1 } }, new() { Kind = RandomLayerKind.BatchNorm } };
            }

            case 2 when shape.Length >= 2:
                // A spatial layer after the tensor was flattened.
                return new List<RandomLayer> { Chance(0.5) ? new RandomLayer { Kind = RandomLayerKind.Flatten } : Dense(random.Next(1, 16), 0), Pick(shape.Length == 3 ? spatial : sequence) };
            default:
                return new List<RandomLayer>
                {
                    shape.Length switch
                    {
                        3 => Pick(sequence),
                        2 => Pick(spatial),
                        1 => Chance(0.5) ? Pick(spatial) : Pick(sequence),
                        _ => Chance(0.3) ? new RandomLayer { Kind = RandomLayerKind.BatchNorm } : Chance(0.5) ? Pick(spatial) : Pick(sequence),
                    },
                };
        }
    }

    private RandomLayer NonPositive(long[] shape, int depth)
    {
        var bad = -random.Next(3);
        var below = -1 - random.Next(2);
        var conv = new RandomLayer { Kind = RandomLayerKind.Conv2D, Size = 4, KernelHeight = 1, KernelWidth = 1 };
        var conv1D = new RandomLayer { Kind = RandomLayerKind.Conv1D, Size = 4, KernelHeight = 1 };
        switch (random.Next(22))
        {
            case 0: return conv with { Size = bad };
            case 1: return conv with { KernelHeight = bad, KernelWidth = bad };
            case 2: return conv with { Square = false, KernelHeight = 2, KernelWidth = bad };
            case 3: return conv with { Stride = bad };
            case 4: return conv with { StrideHeight = below };
            case 5: return conv with { Dilation = bad };
            case 6: return conv with { Groups = bad };
            case 7: return new RandomLayer { Kind = RandomLayerKind.DepthwiseConv2D, KernelHeight = 1, KernelWidth = 1, DepthMultiplier = bad };
            case 8: return new RandomLayer { Kind = RandomLayerKind.ConvTranspose2D, Size = bad, KernelHeight = 2, KernelWidth = 2 };
            case 9: return new RandomLayer { Kind = RandomLayerKind.MaskedConv, KernelHeight = bad, KernelWidth = bad, Size = 4, Activation = 1 };
            case 10: return new RandomLayer { Kind = RandomLayerKind.MaskedConv, KernelHeight = 1, KernelWidth = 1, Size = 4, Stride = bad, Activation = 1 };
            case 11: return conv1D with { Size = bad };
            case 12: return conv1D with { KernelHeight = bad };
            case 13: return conv1D with { Groups = bad };
            case 14: return conv1D with { Dilation = bad };
            case 15: return new RandomLayer { Kind = RandomLayerKind.MaxPool2D, KernelHeight = bad, KernelWidth = bad, Stride = 0 };
            case 16: return new RandomLayer { Kind = RandomLayerKind.AvgPool2D, Square = false, KernelHeight = 1, KernelWidth = bad, Stride = 0 };
            case 17: return new RandomLayer { Kind = RandomLayerKind.MaxPool2D, KernelHeight = 1, KernelWidth = 1, Stride = below };
            case 18:
            {
                var pool = new RandomLayer { Kind = Chance(0.5) ? RandomLayerKind.MaxPool1D : RandomLayerKind.AvgPool1D };
                return Chance(0.5) ? pool with { KernelHeight = 1, Stride = below } : pool with { KernelHeight = bad, Stride = 0 };
            }

            case 19: return new RandomLayer { Kind = RandomLayerKind.Upsample2D, Scale = bad };
            case 20 when depth < MaxDepth && BlockFor(shape, depth + 1, Target.Any) is { } block: return Use(block, bad);
            default: return Dense(bad, 0);
        }
    }

    private RandomLayer OutOfRange(long[] shape, int depth)
    {
        var conv = new RandomLayer { Kind = RandomLayerKind.Conv2D, Size = 4, KernelHeight = 1, KernelWidth = 1 };
        switch (random.Next(24))
        {
            case 0: return new RandomLayer { Kind = RandomLayerKind.Dropout, Rate = new[] { 1.0, -0.5, double.NaN, 1.5 }[random.Next(4)] };
            case 1: return new RandomLayer { Kind = RandomLayerKind.BatchNorm, Epsilon = new[] { 0, -1e-3, double.NaN, double.PositiveInfinity }[random.Next(4)] };
            case 2: return new RandomLayer { Kind = RandomLayerKind.BatchNorm, Momentum = new[] { 1.5, -0.1, double.NaN }[random.Next(3)] };
            case 3: return new RandomLayer { Kind = RandomLayerKind.LayerNorm, Epsilon = new[] { 0, -1, double.PositiveInfinity }[random.Next(3)] };
            case 4: return Dense(4, -random.Next(1, 5));
            case 5: return conv with { Padding = 2 + random.Next(3) };
            case 6: return conv with { Activation = Chance(0.5) ? -1 : 10 + random.Next(3) };
            case 7: return conv with { Padding = 1, Pad = 1 + random.Next(2) };
            case 8: return conv with { PadWidth = -1 - random.Next(2) };
            case 9: return conv with { Size = 4, Groups = 3 };
            case 10: return new RandomLayer { Kind = RandomLayerKind.MaskedConv, KernelHeight = 1, KernelWidth = 1, Size = 4, MaskActivation = 2, Activation = 1 };
            case 11: return new RandomLayer { Kind = RandomLayerKind.ConvTranspose2D, Size = 2, KernelHeight = 2, KernelWidth = 2, OutputPadding = Chance(0.5) ? 1 : -1 };
            case 12: return new RandomLayer { Kind = RandomLayerKind.ConvTranspose2D, Size = 2, KernelHeight = 2, KernelWidth = 2, Stride = 2, Padding = 1, OutputPadding = 1 };
            case 13: return new RandomLayer { Kind = RandomLayerKind.Conv1D, Size = 4, KernelHeight = 1, Padding = 3 };
            case 14:
                // Explicit padding with Same, or negative padding.
                return Chance(0.5)
                    ? new RandomLayer { Kind = RandomLayerKind.Conv1D, Size = 4, KernelHeight = 1, Padding = 1, Pad = 1 }
                    : new RandomLayer { Kind = RandomLayerKind.Conv1D, Size = 4, KernelHeight = 1, Pad = -1 };
            case 15: return new RandomLayer { Kind = RandomLayerKind.Conv1D, Size = 5, KernelHeight = 1, Groups = 2 };
            case 16: return new RandomLayer { Kind = RandomLayerKind.Upsample2D, Mode = Chance(0.5) ? 1 : 3 };
            case 17: return new RandomLayer { Kind = RandomLayerKind.LeakyReLU, Parameter = Chance(0.5) ? double.PositiveInfinity : double.NegativeInfinity };
            case 18: return new RandomLayer { Kind = RandomLayerKind.ELU, Parameter = new[] { 0, -1, double.PositiveInfinity }[random.Next(3)] };
            case 19: return new RandomLayer { Kind = RandomLayerKind.Reshape, Dims = Chance(0.5) ? new long[] { -1, -1 } : Array.Empty<long>() };
            case 20:
            {
                // As many axes as the input has, but not a permutation of them.
                var axes = Enumerable.Range(0, shape.Length).Select(i => (long)i).ToArray();
                axes[random.Next(axes.Length)] = Chance(0.5) ? axes.Length : (axes.Length > 1 ? axes[0] == 0 ? 1 : 0 : -1);
                if (axes.Length > 1 && axes.Distinct().Count() == axes.Length && axes.All(a => a >= 0 && a < axes.Length))
                {
                    axes[0] = axes[1];
                }

                return new RandomLayer { Kind = RandomLayerKind.Permute, Dims = axes };
            }

            case 21 when depth < MaxDepth && BlockFor(shape, depth + 1, Target.Any) is { } block:
                return Use(block, Chance(0.5) ? ReferenceShapes.MaxRepeat + 1 + random.Next(100) : int.MaxValue);
            case 22 when depth < MaxDepth && BlockFor(shape, depth + 1, Target.Same(shape)) is { } block:
                return new RandomLayer { Kind = RandomLayerKind.Residual, Blocks = new[] { block }, Activation = 10 + random.Next(5) };
            default:
                return Dense(4, 0) with { Activation = -1 - random.Next(2) };
        }
    }

    private List<RandomLayer> Huge(long[] shape)
    {
        var dense = Dense(int.MaxValue, 0) with { Activation = 0, UseBias = true };
        var overflow = new List<RandomLayer> { dense, dense, dense, dense };
        var area = shape.Length == 3 ? shape[1] * shape[2] : 0;
        switch (random.Next(6))
        {
            case 0 when shape.Length == 3 && area >= 2:
                return new List<RandomLayer> { new() { Kind = RandomLayerKind.Conv2D, Size = int.MaxValue, KernelHeight = 1, KernelWidth = 1 } };
            case 1 when shape.Length == 3:
                return new List<RandomLayer> { new() { Kind = RandomLayerKind.MaskedConv, KernelHeight = 60_000 + random.Next(int.MaxValue - 60_000), KernelWidth = 1, Size = 1, Padding = 1, Activation = 1 } };
            case 2 when shape.Length == 3:
            {
                var kernel = int.MaxValue - random.Next(1_000_000);
                return new List<RandomLayer> { new() { Kind = RandomLayerKind.Conv2D, Size = random.Next(3, 100), KernelHeight = kernel, KernelWidth = kernel, Padding = 1 } };
            }

            case 3 when shape.Length == 3:
                return new List<RandomLayer> { new() { Kind = RandomLayerKind.Upsample2D, Scale = 50_000 + random.Next(1_000_000) } };
            case 4 when shape.Length == 3 && Math.Max(shape[1], shape[2]) >= 2:
                return new List<RandomLayer> { new() { Kind = RandomLayerKind.ConvTranspose2D, Size = 1, KernelHeight = 1, KernelWidth = 1, Stride = int.MaxValue } };
            case 5 when shape.Length == 2 && shape[1] >= 2:
                return new List<RandomLayer> { new() { Kind = RandomLayerKind.Conv1D, Size = int.MaxValue, KernelHeight = 1 } };
            default:
                return overflow;
        }
    }

    private long[] WrongReshape(long[] shape)
    {
        var size = shape.Aggregate(1L, (a, b) => a * b);
        switch (random.Next(5))
        {
            case 0:
                return new[] { size + random.Next(1, 5) };
            case 1:
            {
                var prime = new long[] { 2, 3, 5, 7, 11, 13 }.Where(p => size % p != 0).DefaultIfEmpty(size + 1).First();
                return Chance(0.5) ? new[] { prime, -1 } : new[] { -1, prime };
            }

            case 2 when size > 1:
                return new[] { size - 1, 1 };
            case 3:
                // Declared counts beyond any input: past 2^31 values, and past 2^63.
                return Chance(0.5) ? new long[] { 65_536, 65_536 } : new long[] { int.MaxValue, int.MaxValue, int.MaxValue };
            default:
                return new[] { size + 1, -1 };
        }
    }

    /// <summary>A residual whose block changes the shape with no projection asked for, or with one that cannot exist.</summary>
    private RandomLayer ResidualMismatch(long[] shape, int depth)
    {
        var channels = shape[0] + random.Next(1, 5);
        var (blockLayers, project) = (shape.Length, random.Next(3)) switch
        {
            (3, 0) => (new List<RandomLayer> { Pointwise(shape, channels)! }, false),
            (3, 1) when shape[1] >= 2 && shape[2] >= 2 => (new List<RandomLayer> { new() { Kind = RandomLayerKind.MaxPool2D, KernelHeight = 2, KernelWidth = 2, Stride = 0 } }, false),
            (3, _) => (new List<RandomLayer> { new() { Kind = RandomLayerKind.Upsample2D, Scale = 2 } }, true),
            (2, 0) => (new List<RandomLayer> { Pointwise(shape, channels)! }, false),
            (2, _) => (new List<RandomLayer> { new() { Kind = RandomLayerKind.Flatten } }, Chance(0.5)),
            (1, 0) => (new List<RandomLayer> { Pointwise(shape, channels)! }, false),
            (1, _) => (new List<RandomLayer> { new() { Kind = RandomLayerKind.Reshape, Dims = new long[] { 1, -1 } } }, true),
            _ => (new List<RandomLayer> { Chance(0.5) ? Activation() : new RandomLayer { Kind = RandomLayerKind.Flatten } }, true),
        };
        if (depth + 1 < MaxDepth && Chance(0.3))
        {
            // The change happens one block further in.
            blockLayers = new List<RandomLayer> { Use(Declare(blockLayers)) };
        }

        return new RandomLayer { Kind = RandomLayerKind.Residual, Blocks = new[] { Declare(blockLayers) }, Project = project, Activation = RandomActivation() };
    }

    /// <summary>Concat branches that differ in more than the channels (or rank), or Add branches that differ at all.</summary>
    private RandomLayer BranchMismatch(long[] shape, int depth)
    {
        var concat = Chance(0.5);
        var size = shape.Aggregate(1L, (a, b) => a * b);
        var different = concat
            ? (shape.Length == 3 && Chance(0.5) ? new RandomLayer { Kind = RandomLayerKind.Upsample2D, Scale = 2 } : shape.Length >= 2 ? new RandomLayer { Kind = RandomLayerKind.Flatten } : new RandomLayer { Kind = RandomLayerKind.Reshape, Dims = new long[] { 1, size } })
            : Pointwise(shape, shape[0] + random.Next(1, 4)) ?? new RandomLayer { Kind = RandomLayerKind.Flatten };
        var odd = Declare(new List<RandomLayer> { different });
        var fine = BlockFor(shape, depth + 1, Target.Same(shape)) ?? Declare(new List<RandomLayer> { Activation() });
        var branches = new List<string> { fine, odd };
        if (Chance(0.3))
        {
            branches.Add(fine);
        }

        return new RandomLayer { Kind = concat ? RandomLayerKind.Concat : RandomLayerKind.Add, Blocks = branches.OrderBy(_ => random.Next()).ToArray() };
    }

    /// <summary>Makes blocks place each other in a cycle: a block placing itself, or one that reaches it.</summary>
    private void Cycle(int at)
    {
        var blocks = declarations.Where(d => d.Kind == RandomDeclarationKind.Block).ToList();
        if (blocks.Count == 0 || Chance(0.2))
        {
            var name = Names[names];
            Declare(new List<RandomLayer> { Activation(), Use(name) });
            layers.Insert(Math.Min(at, layers.Count), Use(name));
            return;
        }

        var target = blocks[random.Next(blocks.Count)];
        var reaching = blocks.Where(b => b == target || Reaches(b.Name, target.Name)).ToList();
        var back = reaching[random.Next(reaching.Count)].Name;
        var placement = random.Next(3) switch
        {
            0 => new RandomLayer { Kind = RandomLayerKind.Residual, Blocks = new[] { back } },
            1 => new RandomLayer { Kind = RandomLayerKind.Concat, Blocks = new[] { back, back } },
            _ => Use(back),
        };
        target.Layers.Insert(random.Next(target.Layers.Count + 1), placement);
    }

    private bool Reaches(string from, string to)
    {
        var seen = new HashSet<string>();
        var pending = new Stack<string>(new[] { from });
        while (pending.Count > 0)
        {
            var next = scratch.Find(pending.Pop());
            if (next is null || !seen.Add(next.Name))
            {
                continue;
            }

            foreach (var placed in next.Layers.Where(l => l.IsComposite).SelectMany(l => l.Blocks))
            {
                if (placed == to)
                {
                    return true;
                }

                pending.Push(placed);
            }
        }

        return false;
    }

    /// <summary>Places a class that is not a block: a plain class, one with layers but no [Block], a block with an [Input], or the model itself.</summary>
    private void NotABlock(int at)
    {
        string name;
        var model = false;
        switch (random.Next(4))
        {
            case 0:
                name = Declare(new List<RandomLayer>(), RandomDeclarationKind.Plain);
                break;
            case 1:
                name = Declare(new List<RandomLayer> { Activation(), Dense(4, 0) }, RandomDeclarationKind.Plain);
                break;
            case 2:
                name = Declare(new List<RandomLayer> { Dense(2, 0) }, RandomDeclarationKind.BlockWithInput);
                break;
            default:
                name = scratch.ClassName;
                model = true;
                break;
        }

        // Replace a branch of an existing placement (the model itself only at the model's level), or add a placement.
        var owners = new List<List<RandomLayer>> { layers };
        if (!model)
        {
            owners.AddRange(declarations.Where(d => d.Kind == RandomDeclarationKind.Block).Select(d => d.Layers));
        }

        var composites = owners.SelectMany(o => o.Select((l, i) => (Owner: o, Index: i, Layer: l))).Where(x => x.Layer.IsComposite).ToList();
        if (composites.Count > 0 && Chance(0.5))
        {
            var (owner, i, layer) = composites[random.Next(composites.Count)];
            var blocks = layer.Blocks.ToArray();
            blocks[random.Next(blocks.Length)] = name;
            owner[i] = layer with { Blocks = blocks };
            return;
        }

        layers.Insert(Math.Min(at, layers.Count), random.Next(3) switch
        {
            0 => new RandomLayer { Kind = RandomLayerKind.Residual, Blocks = new[] { name } },
            1 => new RandomLayer { Kind = RandomLayerKind.Add, Blocks = new[] { name, name } },
            _ => Use(name),
        });
    }

    /// <summary>Gives a placed block errors of its own: not partial, no layers, or a bad argument.</summary>
    private void BlockErrors(int at, long[] input)
    {
        var blocks = declarations.Where(d => d.Kind == RandomDeclarationKind.Block).ToList();
        RandomDeclaration block;
        if (blocks.Count == 0 || Chance(0.25))
        {
            var name = Declare(new List<RandomLayer> { Activation() });
            block = declarations[^1];
            layers.Insert(Math.Min(at, layers.Count), Use(name));
        }
        else
        {
            block = blocks[random.Next(blocks.Count)];
        }

        switch (random.Next(5))
        {
            case 0:
            case 1:
                block.Partial = false;
                break;
            case 2:
                block.Layers.Clear();
                break;
            default:
                block.Layers.Insert(random.Next(block.Layers.Count + 1), Chance(0.5) ? NonPositive(input, MaxDepth) : OutOfRange(input, MaxDepth));
                break;
        }
    }

    // ---- Helpers ----------------------------------------------------------------------------------------------------

    private bool Chance(double p) => random.NextDouble() < p;

    private T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];

    private RandomLayerKind? Pick((RandomLayerKind? Kind, double Weight)[] choices)
    {
        var total = choices.Sum(c => c.Weight);
        var point = random.NextDouble() * total;
        foreach (var (kind, weight) in choices)
        {
            point -= weight;
            if (point < 0)
            {
                return kind;
            }
        }

        return null;
    }

    /// <summary>An integer in [min, max], uniform in log scale (small sizes are as common as large ones).</summary>
    private int LogUniform(int min, int max) =>
        Math.Clamp((int)Math.Floor(Math.Exp(Math.Log(min) + (random.NextDouble() * (Math.Log(max + 1) - Math.Log(min))))), min, max);
}
