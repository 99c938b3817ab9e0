using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Numerics;
using System.Text;

namespace LayerDsl.Generator.Tests.Properties;

/// <summary>The kinds of layer a random model can contain (every attribute LayerDsl has).</summary>
public enum RandomLayerKind
{
    Conv2D,
    MaskedConv,
    MaxPool2D,
    AvgPool2D,
    Flatten,
    Dense,
    Dropout,
    BatchNorm,
    ReLU,
    Tanh,
    Sigmoid,
    Softmax,
}

/// <summary>
/// One random layer: the values it was declared with (as the user would write them) and the text of its attribute.
/// Only the values matter to <see cref="ReferenceShapes"/>; the written arguments vary how they are spelled.
/// </summary>
public sealed class RandomLayer
{
    public RandomLayerKind Kind { get; init; }

    /// <summary>Filters (Conv2D, MaskedConv), units (Dense) or unused.</summary>
    public long Size { get; init; }

    /// <summary>Kernel or pool size.</summary>
    public long Kernel { get; init; }

    /// <summary>Stride as written; for pools 0 means the pool size.</summary>
    public long Stride { get; init; } = 1;

    public int Padding { get; init; }

    public int Activation { get; init; }

    public int MaskActivation { get; init; }

    public bool UseBias { get; init; }

    public long InFeatures { get; init; }

    public double Rate { get; init; }

    public double Epsilon { get; init; } = 1e-5;

    public double Momentum { get; init; } = 0.1;

    /// <summary>The attribute as it appears in source, e.g. <c>[Conv2D(8, 3, Padding = Padding.Same)]</c>.</summary>
    public string Text { get; init; } = string.Empty;

    /// <summary>True when this layer moves any spatial window (so it needs a spatial input).</summary>
    public bool IsSpatial => Kind is RandomLayerKind.Conv2D or RandomLayerKind.MaskedConv or RandomLayerKind.MaxPool2D or RandomLayerKind.AvgPool2D;
}

/// <summary>A random model: its input, its layers, and the C# declaration of its class.</summary>
public sealed record RandomModel(int Index, int Seed, string Namespace, string ClassName, long Height, long Width, long Channels, IReadOnlyList<RandomLayer> Layers, string InputText)
{
    public string FileName => ClassName + ".cs";

    public string FullName => Namespace + "." + ClassName;

    public string Source
    {
        get
        {
            var text = new StringBuilder();
            text.Append("using LayerDsl;\nusing TorchSharp;\n\nnamespace ").Append(Namespace).Append(";\n\n").Append(InputText).Append('\n');
            foreach (var layer in Layers)
            {
                text.Append(layer.Text).Append('\n');
            }

            return text.Append("public partial class ").Append(ClassName).Append(" { }\n").ToString();
        }
    }
}

/// <summary>
/// A seeded generator of random layer stacks over every layer kind and option. Most models are built to fit
/// (each layer chosen for the shape it receives, so most reach run time); a quarter carry one deliberate fault
/// (a window larger than its input, a spatial layer after Flatten, a wrong InFeatures pin, a zero, negative or
/// out-of-range argument), and chance adds more.
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
            var model = Draw(random, index, seed, shrink: attempt >= 20);
            var reference = ReferenceShapes.Infer(model);
            if (!reference.IsValid || (reference.MultiplyAdds <= MaxMultiplyAdds && reference.Parameters <= MaxParameters) || attempt >= 60)
            {
                return model;
            }
        }
    }

    private static RandomModel Draw(Random random, int index, int seed, bool shrink)
    {
        var faulty = random.NextDouble() < 0.25;
        var fault = faulty ? random.Next(7) : -1;

        long height = LogUniform(random, 1, shrink ? 32 : 256);
        long width = random.NextDouble() < 0.5 ? height : LogUniform(random, 1, shrink ? 32 : 256);
        long channels = LogUniform(random, 1, shrink ? 8 : 64);
        if (fault == 0)
        {
            // A zero or negative input size.
            switch (random.Next(3))
            {
                case 0: height = -random.Next(3); break;
                case 1: width = -random.Next(3); break;
                default: channels = -random.Next(3); break;
            }
        }

        var count = random.Next(1, 8);
        var faultAt = random.Next(count);
        var layers = new List<RandomLayer>();
        var state = new State(channels, height, width, false);
        for (var i = 0; i < count; i++)
        {
            RandomLayer layer;
            if (i == faultAt && fault > 0)
            {
                layer = Fault(random, fault, state, layers);
            }
            else
            {
                layer = Fitting(random, state, shrink);
            }

            layers.Add(layer);
            state = Advance(state, layer);
        }

        var inputText = Named(random, "Input", new[] { ("height", height.ToString(CultureInfo.InvariantCulture)), ("width", width.ToString(CultureInfo.InvariantCulture)), ("channels", channels.ToString(CultureInfo.InvariantCulture)) }, Array.Empty<(string, string)>());
        var ns = "Random.P" + index.ToString(CultureInfo.InvariantCulture);
        return new RandomModel(index, seed, ns, "M" + index.ToString(CultureInfo.InvariantCulture), height, width, channels, layers, inputText);
    }

    /// <summary>The shape as the generator of models tracks it (to pick layers that fit); not the reference.</summary>
    private readonly record struct State(long Channels, long Height, long Width, bool Flat)
    {
        public long Size => Flat ? Channels : Channels * Height * Width;

        public long Side => Math.Min(Height, Width);
    }

    private static State Advance(State state, RandomLayer layer)
    {
        if (state.Channels <= 0 || state.Height <= 0 || state.Width <= 0)
        {
            return state;
        }

        switch (layer.Kind)
        {
            case RandomLayerKind.Conv2D or RandomLayerKind.MaskedConv or RandomLayerKind.MaxPool2D or RandomLayerKind.AvgPool2D when !state.Flat:
                var stride = layer.Kind is RandomLayerKind.MaxPool2D or RandomLayerKind.AvgPool2D && layer.Stride == 0 ? layer.Kernel : layer.Stride;
                if (stride <= 0 || layer.Kernel <= 0)
                {
                    return state;
                }

                var channels = layer.Kind is RandomLayerKind.Conv2D or RandomLayerKind.MaskedConv ? layer.Size : state.Channels;
                return layer.Padding == 1
                    ? new State(channels, (state.Height + stride - 1) / stride, (state.Width + stride - 1) / stride, false)
                    : new State(channels, Math.Max(1, ((state.Height - layer.Kernel) / stride) + 1), Math.Max(1, ((state.Width - layer.Kernel) / stride) + 1), false);
            case RandomLayerKind.Flatten:
                return new State(state.Size, 1, 1, true);
            case RandomLayerKind.Dense:
                return new State(Math.Max(1, layer.Size), 1, 1, true);
            default:
                return state;
        }
    }

    private static RandomLayer Fitting(Random random, State state, bool shrink)
    {
        var kinds = state.Flat
            ? new[] { RandomLayerKind.Dense, RandomLayerKind.Dense, RandomLayerKind.Dense, RandomLayerKind.Dropout, RandomLayerKind.BatchNorm, RandomLayerKind.ReLU, RandomLayerKind.Tanh, RandomLayerKind.Sigmoid, RandomLayerKind.Softmax, RandomLayerKind.Flatten }
            : new[]
            {
                RandomLayerKind.Conv2D, RandomLayerKind.Conv2D, RandomLayerKind.Conv2D, RandomLayerKind.MaskedConv, RandomLayerKind.MaskedConv,
                RandomLayerKind.MaxPool2D, RandomLayerKind.MaxPool2D, RandomLayerKind.AvgPool2D, RandomLayerKind.AvgPool2D, RandomLayerKind.Flatten,
                RandomLayerKind.Dense, RandomLayerKind.Dropout, RandomLayerKind.BatchNorm, RandomLayerKind.ReLU, RandomLayerKind.Tanh, RandomLayerKind.Sigmoid, RandomLayerKind.Softmax,
            };
        var kind = kinds[random.Next(kinds.Length)];
        var side = Math.Max(1, state.Side);
        switch (kind)
        {
            case RandomLayerKind.Conv2D:
            {
                var same = random.NextDouble() < 0.4;
                var kernel = same ? random.Next(1, 8) : random.Next(1, (int)Math.Min(side, 7) + 1);
                return Conv(random, LogUniform(random, 1, shrink ? 8 : 32), kernel, random.NextDouble() < 0.6 ? 1 : random.Next(2, 5), same ? 1 : 0, random.Next(5));
            }

            case RandomLayerKind.MaskedConv:
            {
                var same = random.NextDouble() < 0.4;
                var kernel = same ? random.Next(1, 6) : random.Next(1, (int)Math.Min(side, 5) + 1);
                return Masked(random, kernel, LogUniform(random, 1, shrink ? 8 : 16), random.NextDouble() < 0.6 ? 1 : random.Next(2, 4), same ? 1 : 0, random.Next(2), random.Next(5), random.NextDouble() < 0.5);
            }

            case RandomLayerKind.MaxPool2D:
            case RandomLayerKind.AvgPool2D:
            {
                var pool = random.Next(1, (int)Math.Min(side, 8) + 1);
                var stride = random.NextDouble() < 0.5 ? 0 : random.Next(1, 5);
                return Pool(random, kind == RandomLayerKind.MaxPool2D, pool, stride);
            }

            case RandomLayerKind.Dense:
            {
                var pin = random.NextDouble() < 0.3 && state.Size <= int.MaxValue ? state.Size : 0;
                return Dense(random, LogUniform(random, 1, 64), random.Next(5), pin);
            }

            default:
                return Simple(random, kind);
        }
    }

    private static RandomLayer Fault(Random random, int fault, State state, List<RandomLayer> before)
    {
        switch (fault)
        {
            case 1:
            {
                // A window larger than its (unpadded) input.
                var kernel = Math.Max(1, state.Side) + random.Next(1, 4);
                return random.Next(3) switch
                {
                    0 => Conv(random, random.Next(1, 8), kernel, 1, 0, 0),
                    1 => Masked(random, kernel, random.Next(1, 8), 1, 0, 0, 1, false),
                    _ => Pool(random, random.NextDouble() < 0.5, kernel, 0),
                };
            }

            case 2:
            {
                // A spatial layer after the tensor was flattened (a Flatten or Dense first when it is still spatial).
                if (!state.Flat)
                {
                    before.Add(random.NextDouble() < 0.5 ? Simple(random, RandomLayerKind.Flatten) : Dense(random, random.Next(1, 16), 0, 0));
                }

                return random.Next(4) switch
                {
                    0 => Conv(random, 2, 1, 1, random.Next(2), 0),
                    1 => Masked(random, 1, 2, 1, random.Next(2), 0, 1, false),
                    2 => Pool(random, true, 1, 0),
                    _ => Pool(random, false, 1, 1),
                };
            }

            case 3:
            {
                // A Dense pinned to the wrong number of input features.
                var size = Math.Max(1, state.Size);
                var wrong = random.Next(3) switch
                {
                    0 => size + random.Next(1, 10),
                    1 => Math.Max(1, size - random.Next(1, 10)) == size ? size + 1 : Math.Max(1, size - random.Next(1, 10)),
                    _ => Math.Max(1, state.Channels) == size ? size * 2 : Math.Max(1, state.Channels),
                };
                // An attribute argument is an int: past int.MaxValue features, any int pin is wrong.
                return Dense(random, random.Next(1, 16), 0, wrong <= int.MaxValue ? wrong : random.Next(1, 1000));
            }

            case 6:
            {
                // A huge value: a sample or a parameter count too large for the generator's 32- and 64-bit limits.
                return random.Next(3) switch
                {
                    0 when !state.Flat && state.Height * state.Width >= 2 => Conv(random, int.MaxValue, 1, 1, 0, 0),
                    1 => Masked(random, 60_000 + random.Next(int.MaxValue - 60_000), 1, 1, 1, 0, 1, false),
                    _ => Conv(random, random.Next(3, 100), int.MaxValue - random.Next(1_000_000), 1, 1, 0),
                };
            }

            case 4:
            {
                // A zero or negative size.
                var bad = -random.Next(3);
                return random.Next(8) switch
                {
                    0 => Conv(random, bad, 3, 1, 1, 0),
                    1 => Conv(random, 4, bad, 1, 1, 0),
                    2 => Conv(random, 4, 1, bad, 0, 0),
                    3 => Masked(random, bad, 4, 1, 1, 0, 1, false),
                    4 => Masked(random, 1, bad, 1, 0, 0, 1, false),
                    5 => Pool(random, random.NextDouble() < 0.5, bad, 0),
                    6 => Pool(random, random.NextDouble() < 0.5, 1, -1 - random.Next(3)),
                    _ => Dense(random, bad, 0, 0),
                };
            }

            default:
            {
                // An argument outside its range: a rate, epsilon, momentum, negative pin or undefined enum value.
                return random.Next(7) switch
                {
                    0 => Dropout(random, random.NextDouble() < 0.5 ? 1.0 : -0.5),
                    1 => BatchNorm(random, random.NextDouble() < 0.5 ? 0.0 : -1e-3, 0.1),
                    2 => BatchNorm(random, 1e-5, random.NextDouble() < 0.5 ? 1.5 : -0.1),
                    3 => Dense(random, 4, 0, -random.Next(1, 5)),
                    4 => Conv(random, 4, 1, 1, 2 + random.Next(3), 0),
                    5 => Conv(random, 4, 1, 1, 0, 10 + random.Next(3)),
                    _ => Masked(random, 1, 4, 1, 0, 2, 1, false),
                };
            }
        }
    }

    private static RandomLayer Conv(Random random, long filters, long kernel, long stride, int padding, int activation)
    {
        var optional = new List<(string, string)>();
        if (stride != 1 || random.NextDouble() < 0.1)
        {
            optional.Add(("Stride", Int(stride)));
        }

        if (padding != 0 || random.NextDouble() < 0.1)
        {
            optional.Add(("Padding", Enum("Padding", padding, 1, "Valid", "Same")));
        }

        if (activation != 0 || random.NextDouble() < 0.1)
        {
            optional.Add(("Activation", ActivationText(activation)));
        }

        return new RandomLayer
        {
            Kind = RandomLayerKind.Conv2D, Size = filters, Kernel = kernel, Stride = stride, Padding = padding, Activation = activation,
            Text = Named(random, "Conv2D", new[] { ("filters", Int(filters)), ("kernelSize", Int(kernel)) }, optional),
        };
    }

    private static RandomLayer Masked(Random random, long kernel, long filters, long stride, int padding, int maskActivation, int activation, bool useBias)
    {
        var optional = new List<(string, string)>();
        if (stride != 1 || random.NextDouble() < 0.1)
        {
            optional.Add(("Stride", Int(stride)));
        }

        if (padding != 0 || random.NextDouble() < 0.1)
        {
            optional.Add(("Padding", Enum("Padding", padding, 1, "Valid", "Same")));
        }

        if (maskActivation != 0 || random.NextDouble() < 0.1)
        {
            optional.Add(("MaskActivation", Enum("MaskActivation", maskActivation, 1, "Tanh", "Sigmoid")));
        }

        if (activation != 1 || random.NextDouble() < 0.1)
        {
            optional.Add(("Activation", ActivationText(activation)));
        }

        if (useBias || random.NextDouble() < 0.1)
        {
            optional.Add(("UseBias", useBias ? "true" : "false"));
        }

        return new RandomLayer
        {
            Kind = RandomLayerKind.MaskedConv, Size = filters, Kernel = kernel, Stride = stride, Padding = padding, MaskActivation = maskActivation,
            Activation = activation, UseBias = useBias,
            Text = Named(random, "MaskedConv", new[] { ("kernelSize", Int(kernel)), ("filters", Int(filters)) }, optional),
        };
    }

    private static RandomLayer Pool(Random random, bool max, long pool, long stride)
    {
        var name = max ? "MaxPool2D" : "AvgPool2D";
        var optional = new List<(string, string)>();
        if (stride != 0 || random.NextDouble() < 0.1)
        {
            optional.Add(("Stride", Int(stride)));
        }

        // poolSize has a default of 2: leave it out sometimes.
        var required = pool == 2 && random.NextDouble() < 0.5 ? Array.Empty<(string, string)>() : new[] { ("poolSize", Int(pool)) };
        return new RandomLayer
        {
            Kind = max ? RandomLayerKind.MaxPool2D : RandomLayerKind.AvgPool2D, Kernel = pool, Stride = stride,
            Text = Named(random, name, required, optional),
        };
    }

    private static RandomLayer Dense(Random random, long units, int activation, long inFeatures)
    {
        var optional = new List<(string, string)>();
        if (activation != 0 || random.NextDouble() < 0.1)
        {
            optional.Add(("Activation", ActivationText(activation)));
        }

        if (inFeatures != 0 || random.NextDouble() < 0.1)
        {
            optional.Add(("InFeatures", Int(inFeatures)));
        }

        return new RandomLayer
        {
            Kind = RandomLayerKind.Dense, Size = units, Activation = activation, InFeatures = inFeatures,
            Text = Named(random, "Dense", new[] { ("units", Int(units)) }, optional),
        };
    }

    private static RandomLayer Dropout(Random random, double rate) => new()
    {
        Kind = RandomLayerKind.Dropout, Rate = rate,
        Text = Named(random, "Dropout", new[] { ("rate", Double(rate)) }, Array.Empty<(string, string)>()),
    };

    private static RandomLayer BatchNorm(Random random, double epsilon, double momentum)
    {
        var optional = new List<(string, string)>();
        if (epsilon != 1e-5 || random.NextDouble() < 0.2)
        {
            optional.Add(("Epsilon", Double(epsilon)));
        }

        if (momentum != 0.1 || random.NextDouble() < 0.2)
        {
            optional.Add(("Momentum", Double(momentum)));
        }

        return new RandomLayer
        {
            Kind = RandomLayerKind.BatchNorm, Epsilon = epsilon, Momentum = momentum,
            Text = Named(random, "BatchNorm", Array.Empty<(string, string)>(), optional),
        };
    }

    private static RandomLayer Simple(Random random, RandomLayerKind kind) => kind switch
    {
        RandomLayerKind.Dropout => Dropout(random, Math.Round(random.NextDouble() * 0.9, 2)),
        RandomLayerKind.BatchNorm => BatchNorm(random, random.NextDouble() < 0.7 ? 1e-5 : 1e-3, random.NextDouble() < 0.7 ? 0.1 : Math.Round(random.NextDouble(), 2)),
        _ => new RandomLayer { Kind = kind, Text = random.NextDouble() < 0.2 ? "[" + kind + "()]" : "[" + kind + "]" },
    };

    /// <summary>
    /// Writes an attribute: constructor arguments positional, or from a random point on as <c>name: value</c> in
    /// random order; then the properties (<c>Name = value</c>, which C# requires last) in random order.
    /// </summary>
    private static string Named(Random random, string attribute, IReadOnlyList<(string Name, string Value)> required, IReadOnlyList<(string Name, string Value)> optional)
    {
        var parts = new List<string>();
        var colonFrom = random.NextDouble() < 0.25 ? random.Next(required.Count + 1) : required.Count;
        var positional = required.Take(colonFrom).Select(r => r.Value);
        var colon = required.Skip(colonFrom).Select(r => r.Name + ": " + r.Value).OrderBy(_ => random.Next());
        parts.AddRange(positional);
        parts.AddRange(colon);
        parts.AddRange(optional.Select(o => o.Name + " = " + o.Value).OrderBy(_ => random.Next()));
        return parts.Count == 0 ? "[" + attribute + "]" : "[" + attribute + "(" + string.Join(", ", parts) + ")]";
    }

    private static string ActivationText(int activation) => Enum("Activation", activation, 4, "None", "ReLU", "Tanh", "Sigmoid", "Softmax");

    private static string Enum(string type, int value, int max, params string[] names) =>
        value >= 0 && value <= max ? type + "." + names[value] : "(" + type + ")" + Int(value);

    private static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Double(double value) => value.ToString("R", CultureInfo.InvariantCulture) is var s && (s.Contains('.') || s.Contains('E')) ? s : s + ".0";

    /// <summary>An integer in [min, max], uniform in log scale (small sizes are as common as large ones).</summary>
    private static int LogUniform(Random random, int min, int max) =>
        Math.Clamp((int)Math.Floor(Math.Exp(Math.Log(min) + (random.NextDouble() * (Math.Log(max + 1) - Math.Log(min))))), min, max);
}

/// <summary>What the reference arithmetic says about a model.</summary>
/// <param name="Shapes">Each layer's output shape without the batch (TorchSharp order), when the model is valid.</param>
/// <param name="LayerParameters">Each layer's trainable parameters, when valid.</param>
/// <param name="ExpectedIds">The LDSL diagnostics an invalid model must get (argument errors all at once, else the first shape error).</param>
/// <param name="Reason">Why the model is invalid, in words ("valid" otherwise).</param>
/// <param name="FailingLayer">Index of the layer whose shape rule fails (-1 for argument errors or valid models).</param>
/// <param name="FailingInput">The shape that layer receives.</param>
/// <param name="MultiplyAdds">Rough per-sample cost of a forward pass, to keep the models that are run small.</param>
/// <param name="Parameters">Trainable parameters of the whole model.</param>
public sealed record ReferenceResult(
    IReadOnlyList<long[]> Shapes,
    IReadOnlyList<long> LayerParameters,
    IReadOnlyList<string> ExpectedIds,
    string Reason,
    int FailingLayer,
    long[]? FailingInput,
    long MultiplyAdds,
    long Parameters)
{
    public bool IsValid => ExpectedIds.Count == 0;
}

/// <summary>
/// Shape arithmetic written from PyTorch's documentation, independently of the generator: a convolution or pool
/// over a side n with kernel k and stride s needs <c>n &gt;= k</c> and gives <c>(n - k) / s + 1</c> (integer
/// division) unpadded, <c>ceil(n / s)</c> with Keras' "same" padding; Linear needs exactly its in_features; sizes
/// are computed in arbitrary precision.
/// </summary>
public static class ReferenceShapes
{
    private static readonly BigInteger IntMax = int.MaxValue;
    private static readonly BigInteger LongMax = long.MaxValue;

    public static ReferenceResult Infer(RandomModel model)
    {
        var argumentErrors = ArgumentErrors(model);
        if (model.Height > 0 && model.Width > 0 && model.Channels > 0 && (BigInteger)model.Height * model.Width * model.Channels > IntMax)
        {
            argumentErrors.Add(new ArgumentError("input too large"));
        }

        if (argumentErrors.Count > 0)
        {
            return Invalid(argumentErrors, string.Join("; ", argumentErrors.Select(e => e.Reason)), -1, null);
        }

        // channels, height, width; flat when height is null.
        BigInteger c = model.Channels, h = model.Height, w = model.Width;
        var flat = false;
        var shapes = new List<long[]>();
        var parameters = new List<long>();
        BigInteger macs = c * h * w * 4; // drawing the random input costs about as much
        BigInteger total = 0;
        for (var i = 0; i < model.Layers.Count; i++)
        {
            var layer = model.Layers[i];
            var input = flat ? new[] { (long)c } : new[] { (long)c, (long)h, (long)w };
            BigInteger p = 0;
            if (layer.IsSpatial && flat)
            {
                return Invalid("LDSL0012", $"layer {i} ({layer.Kind}) receives a flat [{c}] tensor", i, input);
            }

            switch (layer.Kind)
            {
                case RandomLayerKind.Conv2D:
                case RandomLayerKind.MaskedConv:
                case RandomLayerKind.MaxPool2D:
                case RandomLayerKind.AvgPool2D:
                {
                    var k = (BigInteger)layer.Kernel;
                    var s = (BigInteger)(layer.Kind is RandomLayerKind.MaxPool2D or RandomLayerKind.AvgPool2D && layer.Stride == 0 ? layer.Kernel : layer.Stride);
                    BigInteger oh, ow;
                    if (layer.Padding == 1 && layer.Kind is RandomLayerKind.Conv2D or RandomLayerKind.MaskedConv)
                    {
                        oh = (h + s - 1) / s;
                        ow = (w + s - 1) / s;
                    }
                    else
                    {
                        if (h < k || w < k)
                        {
                            return Invalid("LDSL0011", $"layer {i} ({layer.Kind}) has a {k}x{k} window over {h}x{w}", i, input);
                        }

                        oh = ((h - k) / s) + 1;
                        ow = ((w - k) / s) + 1;
                    }

                    var outChannels = layer.Kind is RandomLayerKind.Conv2D or RandomLayerKind.MaskedConv ? (BigInteger)layer.Size : c;
                    var outputs = outChannels * oh * ow;
                    if (layer.Kind == RandomLayerKind.Conv2D)
                    {
                        p = (layer.Size * c * k * k) + layer.Size;
                        macs += outputs * c * k * k;
                    }
                    else if (layer.Kind == RandomLayerKind.MaskedConv)
                    {
                        var taps = k * k;
                        p = (taps * c * taps) + taps + (layer.Size * c * taps) + (layer.UseBias ? layer.Size : 0);
                        macs += (oh * ow * taps * c * taps) + (outputs * c * taps) + (oh * ow * c * taps * 2);
                    }
                    else
                    {
                        macs += outputs * k * k;
                    }

                    if (p > LongMax)
                    {
                        return Invalid("LDSL0014", $"layer {i} has {p} parameters", i, input);
                    }

                    if (oh > IntMax || ow > IntMax || oh * ow > IntMax || outputs > IntMax)
                    {
                        return Invalid("LDSL0014", $"layer {i} has {outputs} outputs", i, input);
                    }

                    c = outChannels;
                    h = oh;
                    w = ow;
                    break;
                }

                case RandomLayerKind.Flatten:
                    if (!flat)
                    {
                        c = c * h * w;
                        flat = true;
                    }

                    break;
                case RandomLayerKind.Dense:
                {
                    var features = flat ? c : c * h * w;
                    if (layer.InFeatures != 0 && layer.InFeatures != features)
                    {
                        return Invalid("LDSL0013", $"layer {i} is pinned to {layer.InFeatures} but gets {features}", i, input);
                    }

                    p = (features * layer.Size) + layer.Size;
                    macs += features * layer.Size;
                    c = layer.Size;
                    flat = true;
                    break;
                }

                case RandomLayerKind.BatchNorm:
                    p = 2 * c;
                    macs += (flat ? c : c * h * w) * 2;
                    break;
                default:
                    macs += flat ? c : c * h * w;
                    break;
            }

            total += p;
            if (total > LongMax)
            {
                return Invalid("LDSL0014", $"the parameter total passes 2^63 at layer {i}", i, input);
            }

            shapes.Add(flat ? new[] { (long)c } : new[] { (long)c, (long)h, (long)w });
            parameters.Add((long)p);
        }

        return new ReferenceResult(shapes, parameters, Array.Empty<string>(), "valid", -1, null, (long)BigInteger.Min(macs, LongMax), (long)total);
    }

    private sealed record ArgumentError(string Reason);

    private static List<ArgumentError> ArgumentErrors(RandomModel model)
    {
        var errors = new List<ArgumentError>();
        void Require(bool ok, string what)
        {
            if (!ok)
            {
                errors.Add(new ArgumentError(what));
            }
        }

        Require(model.Height > 0, "input height");
        Require(model.Width > 0, "input width");
        Require(model.Channels > 0, "input channels");
        Require(model.Layers.Count > 0, "no layers");
        foreach (var layer in model.Layers)
        {
            switch (layer.Kind)
            {
                case RandomLayerKind.Conv2D:
                case RandomLayerKind.MaskedConv:
                    Require(layer.Size > 0, "filters");
                    Require(layer.Kernel > 0, "kernelSize");
                    Require(layer.Stride > 0, "Stride");
                    Require(layer.Padding is 0 or 1, "Padding");
                    Require(layer.Activation is >= 0 and <= 9, "Activation");
                    if (layer.Kind == RandomLayerKind.MaskedConv)
                    {
                        Require(layer.MaskActivation is 0 or 1, "MaskActivation");
                    }

                    break;
                case RandomLayerKind.MaxPool2D:
                case RandomLayerKind.AvgPool2D:
                    Require(layer.Kernel > 0, "poolSize");
                    Require(layer.Stride >= 0, "Stride");
                    break;
                case RandomLayerKind.Dense:
                    Require(layer.Size > 0, "units");
                    Require(layer.Activation is >= 0 and <= 9, "Activation");
                    Require(layer.InFeatures >= 0, "InFeatures");
                    break;
                case RandomLayerKind.Dropout:
                    Require(layer.Rate >= 0 && layer.Rate < 1, "rate");
                    break;
                case RandomLayerKind.BatchNorm:
                    Require(layer.Epsilon > 0 && !double.IsInfinity(layer.Epsilon), "Epsilon");
                    Require(layer.Momentum >= 0 && layer.Momentum <= 1, "Momentum");
                    break;
            }
        }

        return errors;
    }

    private static ReferenceResult Invalid(List<ArgumentError> errors, string reason, int layer, long[]? input) =>
        new(Array.Empty<long[]>(), Array.Empty<long>(), errors.Select(e => e.Reason switch { "no layers" => "LDSL0015", "input too large" => "LDSL0014", _ => "LDSL0010" }).ToList(), reason, layer, input, 0, 0);

    private static ReferenceResult Invalid(string id, string reason, int layer, long[]? input) =>
        new(Array.Empty<long[]>(), Array.Empty<long>(), new[] { id }, reason, layer, input, 0, 0);
}
