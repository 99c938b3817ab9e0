using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace LayerDsl.Generator.Tests.Properties;

/// <summary>The kinds of layer a random model can contain (every attribute LayerDsl has).</summary>
public enum RandomLayerKind
{
    Conv2D,
    DepthwiseConv2D,
    ConvTranspose2D,
    MaskedConv,
    Conv1D,
    MaxPool2D,
    AvgPool2D,
    MaxPool1D,
    AvgPool1D,
    GlobalAvgPool2D,
    GlobalMaxPool2D,
    GlobalAvgPool1D,
    GlobalMaxPool1D,
    Flatten,
    Dense,
    Dropout,
    BatchNorm,
    LayerNorm,
    Reshape,
    Permute,
    Upsample2D,
    ReLU,
    Tanh,
    Sigmoid,
    Softmax,
    GELU,
    SiLU,
    Hardswish,
    LeakyReLU,
    ELU,
    Use,
    Residual,
    Concat,
    Add,
}

/// <summary>
/// One random layer: the values it is declared with, as the user writes them (a per-dimension stride of 0 is "not
/// set", a pool stride of 0 is the pool size, and so on: <see cref="ReferenceShapes"/> resolves them from the attributes'
/// documentation), and the text of its attribute. The text only varies how the same values are spelled.
/// </summary>
public sealed record RandomLayer
{
    public RandomLayerKind Kind { get; init; }

    /// <summary>Filters (convolutions) or units (Dense).</summary>
    public long Size { get; init; }

    public long KernelHeight { get; init; }

    public long KernelWidth { get; init; }

    /// <summary>True when the kernel (or pool window) is written as one size (<c>kernelSize</c>, <c>poolSize</c>).</summary>
    public bool Square { get; init; } = true;

    public long Stride { get; init; } = 1;

    public long StrideHeight { get; init; }

    public long StrideWidth { get; init; }

    public int Padding { get; init; }

    public long Pad { get; init; }

    public long PadHeight { get; init; }

    public long PadWidth { get; init; }

    public long Dilation { get; init; } = 1;

    public long Groups { get; init; } = 1;

    public long DepthMultiplier { get; init; } = 1;

    public long OutputPadding { get; init; }

    public bool UseBias { get; init; } = true;

    public int Activation { get; init; }

    public int MaskActivation { get; init; }

    public long InFeatures { get; init; }

    public double Rate { get; init; }

    public double Epsilon { get; init; } = 1e-5;

    public double Momentum { get; init; } = 0.1;

    /// <summary>LeakyReLU's slope or ELU's alpha; NaN when not written (the attribute's default).</summary>
    public double Parameter { get; init; } = double.NaN;

    public long Scale { get; init; } = 2;

    /// <summary>Upsample2D's mode, as TorchSharp's <c>UpsampleMode</c> value (0 nearest, 1 linear, 2 bilinear).</summary>
    public int Mode { get; init; }

    /// <summary>Reshape's target or Permute's axes.</summary>
    public long[] Dims { get; init; } = Array.Empty<long>();

    /// <summary>The classes a composite layer places, by simple name.</summary>
    public string[] Blocks { get; init; } = Array.Empty<string>();

    public long Repeat { get; init; } = 1;

    public bool Project { get; init; }

    /// <summary>The attribute as it appears in source, e.g. <c>[Conv2D(8, 3, Padding = Padding.Same)]</c>.</summary>
    public string Text { get; init; } = string.Empty;

    public bool IsComposite => Kind is RandomLayerKind.Use or RandomLayerKind.Residual or RandomLayerKind.Concat or RandomLayerKind.Add;

    public override string ToString() => Text.Length > 0 ? Text : Kind.ToString();
}

/// <summary>What a class declared next to a random model is.</summary>
public enum RandomDeclarationKind
{
    /// <summary>A <c>[Block]</c> class.</summary>
    Block,

    /// <summary>A class that is not a block (with or without layer attributes: a forgotten <c>[Block]</c>).</summary>
    Plain,

    /// <summary>A class marked <c>[Block]</c> that also declares an <c>[Input]</c>.</summary>
    BlockWithInput,
}

/// <summary>A class declared in a random model's file: a block the model (or another block) places, or a fault.</summary>
public sealed class RandomDeclaration
{
    public RandomDeclaration(string name, RandomDeclarationKind kind, List<RandomLayer> layers)
    {
        Name = name;
        Kind = kind;
        Layers = layers;
    }

    public string Name { get; }

    public RandomDeclarationKind Kind { get; }

    public List<RandomLayer> Layers { get; set; }

    public bool Partial { get; set; } = true;

    public string Source
    {
        get
        {
            var text = new StringBuilder();
            if (Kind != RandomDeclarationKind.Plain)
            {
                text.Append("[Block]\n");
            }

            if (Kind == RandomDeclarationKind.BlockWithInput)
            {
                text.Append("[Input(4, 4, 1)]\n");
            }

            foreach (var layer in Layers)
            {
                text.Append(layer.Text).Append('\n');
            }

            return text.Append("public ").Append(Partial ? "partial " : string.Empty).Append("class ").Append(Name).Append(" { }\n").ToString();
        }
    }
}

/// <summary>
/// A random model: its input (as declared, and as a TorchSharp sample shape), its layers, and the classes declared
/// beside it in the same file (the blocks it places, in an order of their own).
/// </summary>
public sealed class RandomModel
{
    public RandomModel(int index, int seed, long[] input, string inputText, List<RandomLayer> layers, List<RandomDeclaration> declarations, int position)
    {
        Index = index;
        Seed = seed;
        Input = input;
        InputText = inputText;
        Layers = layers;
        Declarations = declarations;
        Position = position;
    }

    public int Index { get; }

    public int Seed { get; }

    /// <summary>One sample's shape in TorchSharp order ([F], [C, L] or [C, H, W]), values as declared (possibly invalid).</summary>
    public long[] Input { get; }

    public string InputText { get; }

    public List<RandomLayer> Layers { get; }

    public List<RandomDeclaration> Declarations { get; }

    /// <summary>Where among the declarations the model's own class is written.</summary>
    public int Position { get; }

    /// <summary>The deliberate fault the model was drawn with (chance may add others).</summary>
    public RandomFault Fault { get; init; }

    public string Namespace => "Random.P" + Index.ToString(CultureInfo.InvariantCulture);

    public string ClassName => "M" + Index.ToString(CultureInfo.InvariantCulture);

    public string FileName => ClassName + ".cs";

    public string FullName => Namespace + "." + ClassName;

    public RandomDeclaration? Find(string name) => Declarations.FirstOrDefault(d => d.Name == name);

    /// <summary>Every layer of the file: the model's and every declaration's.</summary>
    public IEnumerable<RandomLayer> AllLayers => Layers.Concat(Declarations.SelectMany(d => d.Layers));

    public string Source
    {
        get
        {
            var text = new StringBuilder();
            text.Append("using LayerDsl;\nusing TorchSharp;\n\nnamespace ").Append(Namespace).Append(";\n");
            for (var i = 0; i <= Declarations.Count; i++)
            {
                if (i == Position)
                {
                    text.Append('\n').Append(InputText).Append('\n');
                    foreach (var layer in Layers)
                    {
                        text.Append(layer.Text).Append('\n');
                    }

                    text.Append("public partial class ").Append(ClassName).Append(" { }\n");
                }

                if (i < Declarations.Count)
                {
                    text.Append('\n').Append(Declarations[i].Source);
                }
            }

            return text.ToString();
        }
    }
}

/// <summary>
/// Writes a layer's attribute: constructor arguments positional, or from a random point on as <c>name: value</c> in
/// random order, then the properties in random order; an option at its default is sometimes written anyway.
/// </summary>
public static class Spelling
{
    public static string Of(Random random, RandomLayer layer)
    {
        var required = new List<(string Name, string Value)>();
        var optional = new List<(string Name, string Value)>();
        void Option(string name, string value, bool written)
        {
            if (written)
            {
                optional.Add((name, value));
            }
        }

        bool Sometimes() => random.NextDouble() < 0.1;

        void Kernel(string square, string height, string width)
        {
            if (layer.Square)
            {
                required.Add((square, Int(layer.KernelHeight)));
            }
            else
            {
                required.Add((height, Int(layer.KernelHeight)));
                required.Add((width, Int(layer.KernelWidth)));
            }
        }

        void Geometry()
        {
            Option("Stride", Int(layer.Stride), layer.Stride != 1 || Sometimes());
            Option("StrideHeight", Int(layer.StrideHeight), layer.StrideHeight != 0);
            Option("StrideWidth", Int(layer.StrideWidth), layer.StrideWidth != 0);
            Option("Padding", Enum("Padding", layer.Padding, "Valid", "Same"), layer.Padding != 0 || Sometimes());
            Option("Pad", Int(layer.Pad), layer.Pad != 0);
            Option("PadHeight", Int(layer.PadHeight), layer.PadHeight != 0);
            Option("PadWidth", Int(layer.PadWidth), layer.PadWidth != 0);
            Option("Dilation", Int(layer.Dilation), layer.Dilation != 1 || Sometimes());
        }

        void BiasAndActivation()
        {
            Option("UseBias", Bool(layer.UseBias), !layer.UseBias || Sometimes());
            Option("Activation", ActivationText(layer.Activation), layer.Activation != 0 || Sometimes());
        }

        var name = layer.Kind.ToString();
        switch (layer.Kind)
        {
            case RandomLayerKind.Conv2D:
                required.Add(("filters", Int(layer.Size)));
                Kernel("kernelSize", "kernelHeight", "kernelWidth");
                Geometry();
                Option("Groups", Int(layer.Groups), layer.Groups != 1 || Sometimes());
                BiasAndActivation();
                break;
            case RandomLayerKind.DepthwiseConv2D:
                Kernel("kernelSize", "kernelHeight", "kernelWidth");
                Geometry();
                Option("DepthMultiplier", Int(layer.DepthMultiplier), layer.DepthMultiplier != 1 || Sometimes());
                BiasAndActivation();
                break;
            case RandomLayerKind.ConvTranspose2D:
                required.Add(("filters", Int(layer.Size)));
                Kernel("kernelSize", "kernelHeight", "kernelWidth");
                Geometry();
                Option("OutputPadding", Int(layer.OutputPadding), layer.OutputPadding != 0 || Sometimes());
                BiasAndActivation();
                break;
            case RandomLayerKind.MaskedConv:
                required.Add(("kernelSize", Int(layer.KernelHeight)));
                required.Add(("filters", Int(layer.Size)));
                Option("Stride", Int(layer.Stride), layer.Stride != 1 || Sometimes());
                Option("Padding", Enum("Padding", layer.Padding, "Valid", "Same"), layer.Padding != 0 || Sometimes());
                Option("MaskActivation", Enum("MaskActivation", layer.MaskActivation, "Tanh", "Sigmoid"), layer.MaskActivation != 0 || Sometimes());
                Option("Activation", ActivationText(layer.Activation), layer.Activation != 1 || Sometimes());
                Option("UseBias", Bool(layer.UseBias), layer.UseBias || Sometimes());
                break;
            case RandomLayerKind.Conv1D:
                required.Add(("filters", Int(layer.Size)));
                required.Add(("kernelSize", Int(layer.KernelHeight)));
                Option("Stride", Int(layer.Stride), layer.Stride != 1 || Sometimes());
                Option("Padding", Enum("Padding", layer.Padding, "Valid", "Same"), layer.Padding != 0 || Sometimes());
                Option("Pad", Int(layer.Pad), layer.Pad != 0 || Sometimes());
                Option("Dilation", Int(layer.Dilation), layer.Dilation != 1 || Sometimes());
                Option("Groups", Int(layer.Groups), layer.Groups != 1 || Sometimes());
                BiasAndActivation();
                break;
            case RandomLayerKind.MaxPool2D:
            case RandomLayerKind.AvgPool2D:
                // poolSize has a default of 2: leave it out sometimes.
                if (!layer.Square)
                {
                    Kernel("poolSize", "poolHeight", "poolWidth");
                }
                else if (layer.KernelHeight != 2 || random.NextDouble() < 0.5)
                {
                    required.Add(("poolSize", Int(layer.KernelHeight)));
                }

                Option("Stride", Int(layer.Stride), layer.Stride != 0 || Sometimes());
                Option("StrideHeight", Int(layer.StrideHeight), layer.StrideHeight != 0);
                Option("StrideWidth", Int(layer.StrideWidth), layer.StrideWidth != 0);
                break;
            case RandomLayerKind.MaxPool1D:
            case RandomLayerKind.AvgPool1D:
                if (layer.KernelHeight != 2 || random.NextDouble() < 0.5)
                {
                    required.Add(("poolSize", Int(layer.KernelHeight)));
                }

                Option("Stride", Int(layer.Stride), layer.Stride != 0 || Sometimes());
                break;
            case RandomLayerKind.Dense:
                required.Add(("units", Int(layer.Size)));
                Option("InFeatures", Int(layer.InFeatures), layer.InFeatures != 0 || Sometimes());
                BiasAndActivation();
                break;
            case RandomLayerKind.Dropout:
                required.Add(("rate", Double(layer.Rate)));
                break;
            case RandomLayerKind.BatchNorm:
                Option("Epsilon", Double(layer.Epsilon), layer.Epsilon != 1e-5 || Sometimes());
                Option("Momentum", Double(layer.Momentum), layer.Momentum != 0.1 || Sometimes());
                break;
            case RandomLayerKind.LayerNorm:
                Option("Epsilon", Double(layer.Epsilon), layer.Epsilon != 1e-5 || Sometimes());
                break;
            case RandomLayerKind.Reshape:
            case RandomLayerKind.Permute:
                return "[" + name + ArrayArgument(random, layer.Kind == RandomLayerKind.Reshape ? "shape" : "axes", layer.Dims) + "]";
            case RandomLayerKind.Upsample2D:
                if (layer.Scale != 2 || random.NextDouble() < 0.5)
                {
                    required.Add(("scale", Int(layer.Scale)));
                }

                Option("Mode", layer.Mode is >= 0 and <= 2 ? "torch.UpsampleMode." + new[] { "Nearest", "Linear", "Bilinear" }[layer.Mode] : "(torch.UpsampleMode)" + (layer.Mode < 0 ? "(" + Int(layer.Mode) + ")" : Int(layer.Mode)), layer.Mode != 0 || Sometimes());
                break;
            case RandomLayerKind.LeakyReLU:
            case RandomLayerKind.ELU:
                if (!double.IsNaN(layer.Parameter))
                {
                    required.Add((layer.Kind == RandomLayerKind.ELU ? "alpha" : "slope", Double(layer.Parameter)));
                }

                break;
            case RandomLayerKind.Use:
                name = $"Use<{layer.Blocks[0]}>";
                Option("Repeat", Int(layer.Repeat), layer.Repeat != 1 || Sometimes());
                break;
            case RandomLayerKind.Residual:
                name = $"Residual<{layer.Blocks[0]}>";
                Option("Activation", ActivationText(layer.Activation), layer.Activation != 0 || Sometimes());
                Option("Project", Bool(layer.Project), layer.Project || Sometimes());
                break;
            case RandomLayerKind.Concat:
            case RandomLayerKind.Add:
                name = $"{layer.Kind}<{string.Join(", ", layer.Blocks)}>";
                break;
        }

        if (required.Count == 0 && optional.Count == 0)
        {
            return random.NextDouble() < 0.2 ? "[" + name + "()]" : "[" + name + "]";
        }

        return Named(random, name, required, optional);
    }

    /// <summary>The <c>[Input]</c> attribute for a sample shape in TorchSharp order, in Keras' order.</summary>
    public static string Input(Random random, long[] shape) => shape.Length switch
    {
        1 => Named(random, "Input", new[] { ("features", Int(shape[0])) }, Array.Empty<(string, string)>()),
        2 => Named(random, "Input", new[] { ("length", Int(shape[1])), ("channels", Int(shape[0])) }, Array.Empty<(string, string)>()),
        _ => Named(random, "Input", new[] { ("height", Int(shape[1])), ("width", Int(shape[2])), ("channels", Int(shape[0])) }, Array.Empty<(string, string)>()),
    };

    public static string Named(Random random, string attribute, IReadOnlyList<(string Name, string Value)> required, IReadOnlyList<(string Name, string Value)> optional)
    {
        var parts = new List<string>();
        var colonFrom = random.NextDouble() < 0.25 ? random.Next(required.Count + 1) : required.Count;
        parts.AddRange(required.Take(colonFrom).Select(r => r.Value));
        parts.AddRange(required.Skip(colonFrom).Select(r => r.Name + ": " + r.Value).OrderBy(_ => random.Next()));
        parts.AddRange(optional.Select(o => o.Name + " = " + o.Value).OrderBy(_ => random.Next()));
        return parts.Count == 0 ? "[" + attribute + "]" : "[" + attribute + "(" + string.Join(", ", parts) + ")]";
    }

    /// <summary>A <c>params int[]</c> argument, as its elements or as an array, positional or named.</summary>
    private static string ArrayArgument(Random random, string parameter, long[] values)
    {
        var elements = string.Join(", ", values.Select(Int));
        return random.Next(5) switch
        {
            0 => values.Length == 0 ? string.Empty : "(" + elements + ")",
            1 => $"(new[] {{ {elements} }})".Replace("new[] {  }", "new int[0]", StringComparison.Ordinal),
            2 => $"({parameter}: new int[] {{ {elements} }})",
            _ => values.Length == 0 ? "()" : "(" + elements + ")",
        };
    }

    private static string ActivationText(int value) =>
        Enum("Activation", value, "None", "ReLU", "Tanh", "Sigmoid", "Softmax", "GELU", "SiLU", "LeakyReLU", "ELU", "Hardswish");

    private static string Enum(string type, int value, params string[] names) =>
        value >= 0 && value < names.Length ? type + "." + names[value] : "(" + type + ")" + (value < 0 ? "(" + Int(value) + ")" : Int(value));

    private static string Bool(bool value) => value ? "true" : "false";

    public static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Double(double value) => value switch
    {
        double.NaN => "double.NaN",
        double.PositiveInfinity => "double.PositiveInfinity",
        double.NegativeInfinity => "double.NegativeInfinity",
        _ => value.ToString("R", CultureInfo.InvariantCulture) is var s && (s.Contains('.') || s.Contains('E')) ? s : s + ".0",
    };
}
