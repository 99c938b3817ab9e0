using System.Collections.Generic;
using System.Linq;
using LayerDsl.Generator.Helpers;
using LayerDsl.Generator.Models;

namespace LayerDsl.Generator.Layers;

/// <summary>Python literals and statements for a model's PyTorch twin (<c>PyTorchSource</c>).</summary>
internal static class Py
{
    public static string Int(long value) => Format.Number(value);

    public static string Float(double value) => Format.DoubleLiteral(value);

    public static string Bool(bool value) => value ? "True" : "False";

    public static string Str(string value) => Format.StringLiteral(value);

    public static string Pair(long first, long second) => $"({Int(first)}, {Int(second)})";

    public static string List(IEnumerable<long> values) => "[" + string.Join(", ", values.Select(Int)) + "]";

    /// <summary><c>x = self.name(x)</c>: runs the layer's submodule.</summary>
    public static void Call(List<string> statements, string name) => statements.Add($"x = self.{name}(x)");

    /// <summary>The statement applying an activation to <c>x</c>, as the C# model applies it, or null.</summary>
    public static string? Activation(ActivationKind activation, double parameter = double.NaN) => activation switch
    {
        ActivationKind.ReLU => "x = F.relu(x)",
        ActivationKind.Tanh => "x = torch.tanh(x)",
        ActivationKind.Sigmoid => "x = torch.sigmoid(x)",
        ActivationKind.Softmax => "x = F.softmax(x, 1)",
        ActivationKind.GELU => "x = F.gelu(x)",
        ActivationKind.SiLU => "x = F.silu(x)",
        ActivationKind.LeakyReLU => $"x = F.leaky_relu(x, {Float(double.IsNaN(parameter) ? Activations.LeakySlope : parameter)})",
        ActivationKind.ELU => $"x = F.elu(x, {Float(double.IsNaN(parameter) ? Activations.EluAlpha : parameter)})",
        ActivationKind.Hardswish => "x = F.hardswish(x)",
        _ => null,
    };

    /// <summary>Zero padding as the C# layer applies it (left, right, top, bottom), or null when the module pads itself.</summary>
    public static string? Pad(Window window, bool uniformOnly) => (uniformOnly ? window.IsUniform : window.IsSymmetric)
        ? null
        : $"x = F.pad(x, {List(new[] { window.Left, window.Right, window.Top, window.Bottom })})";
}

/// <summary>
/// ONNX export statements: the builder is <c>onnx</c>, the current value's name <c>x</c>, the path prefix of names
/// <c>prefix</c>. A layer's module takes the layer's path as its name (<c>residual1.conv1</c>, its weights
/// <c>residual1.conv1.weight</c>); the nodes a layer adds around it take the path and a suffix after a colon
/// (<c>conv1:relu</c>, <c>conv1:pad</c>), which no layer name or builder-made name contains.
/// </summary>
internal static class OnnxCode
{
    /// <summary>The C# expression of a node name under the current prefix.</summary>
    public static string Name(string name, string? suffix = null) =>
        "prefix + " + Format.StringLiteral(suffix is null ? name : name + ":" + suffix);

    /// <summary>Exports the layer's module under its path: <c>x = onnx.Module(x, name, prefix + "name");</c>.</summary>
    public static void Module(List<string> statements, string name) =>
        statements.Add($"x = onnx.Module(x, {name}, {Name(name)});");

    /// <summary>The statement applying an activation to <c>x</c> as a node called <paramref name="nodeName"/> (a C# expression), or null.</summary>
    public static string? Activation(ActivationKind activation, double parameter, string nodeName) => activation switch
    {
        ActivationKind.None => null,
        ActivationKind.LeakyReLU => $"x = onnx.LeakyRelu(x, {Format.DoubleLiteral(double.IsNaN(parameter) ? Activations.LeakySlope : parameter)}, {nodeName});",
        ActivationKind.ELU => $"x = onnx.Elu(x, {Format.DoubleLiteral(double.IsNaN(parameter) ? Activations.EluAlpha : parameter)}, {nodeName});",
        ActivationKind.Softmax => $"x = onnx.Softmax(x, 1L, {nodeName});",
        _ => $"x = onnx.Activation(x, {Activations.RuntimeName(activation)}, {nodeName});",
    };

    /// <summary>Zero padding as the C# layer applies it, or null when the module pads itself.</summary>
    public static string? Pad(Window window, bool uniformOnly, string layer) => (uniformOnly ? window.IsUniform : window.IsSymmetric)
        ? null
        : $"x = onnx.Pad2d(x, {Format.LongLiteral(window.Left)}, {Format.LongLiteral(window.Right)}, {Format.LongLiteral(window.Top)}, {Format.LongLiteral(window.Bottom)}, {Name(layer, "pad")});";
}

/// <summary>
/// The Python class of each block instance of a model: a block placed at one input shape is one class named after it
/// (<c>Basic16</c>); a block placed at several shapes gets one class per shape (<c>Basic16_16x28x28</c>).
/// </summary>
internal sealed class PythonBlocks
{
    private readonly Dictionary<(string Block, Shape Input), string> names = new();

    /// <summary>Every block instance, children before the blocks that contain them, each distinct instance once.</summary>
    public List<BranchTrace> Instances { get; } = new();

    public PythonBlocks(IEnumerable<LayerTrace> layers)
    {
        var seen = new HashSet<(string, Shape)>();
        Collect(layers, seen);
        var shapesPerBlock = Instances.GroupBy(b => b.Block.MetadataName).ToDictionary(g => g.Key, g => g.Count());
        foreach (var instance in Instances)
        {
            var name = shapesPerBlock[instance.Block.MetadataName] == 1
                ? instance.Block.Name
                : instance.Block.Name + "_" + string.Join("x", instance.Input.Dims.Select(Format.Number));
            names[(instance.Block.MetadataName, instance.Input)] = name;
        }
    }

    public string ClassName(BranchTrace branch) => names[(branch.Block.MetadataName, branch.Input)];

    private void Collect(IEnumerable<LayerTrace> layers, HashSet<(string, Shape)> seen)
    {
        foreach (var layer in layers)
        {
            foreach (var branch in layer.Branches)
            {
                Collect(branch.Layers, seen);
                if (seen.Add((branch.Block.MetadataName, branch.Input)))
                {
                    Instances.Add(branch);
                }
            }
        }
    }
}
