using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;

namespace LayerDsl.Generator.Tests.Properties;

/// <summary>One row of <c>Info.Layers</c> as the reference expects it: path, output shape, parameters, and what it is.</summary>
/// <param name="Name">The layer's path, e.g. <c>residual1.conv1</c>.</param>
/// <param name="Shape">Its output shape without the batch.</param>
/// <param name="Parameters">Its trainable parameters (a composite's include its children's).</param>
/// <param name="Role">"Layer", "Residual" (whose parameters include the projection, a sibling field), "Projection" or "Branch".</param>
public sealed record ReferenceRow(string Name, long[] Shape, long Parameters, string Role);

/// <summary>The first layer whose shape rule fails, with what it receives: enough to build it by hand in TorchSharp.</summary>
/// <param name="Id">The LDSL error it gets.</param>
/// <param name="Reason">Why, in words.</param>
/// <param name="Layer">The innermost layer at fault (inside a block when the fault is there).</param>
/// <param name="Input">The sample shape that layer receives.</param>
/// <param name="Outputs">For a residual (input, then the block's output) or a concatenation or sum (each branch's output).</param>
public sealed record ReferenceFailure(string Id, string Reason, RandomLayer Layer, long[] Input, long[][] Outputs);

/// <summary>What the reference arithmetic says about a random model and the classes declared beside it.</summary>
/// <param name="Rows">The rows of <c>Info.Layers</c>, children before the composite, when the model is valid.</param>
/// <param name="ExpectedIds">The LDSL errors the file must get: each declaration's own, then the model's (its argument errors all at once, else its first shape error).</param>
/// <param name="Reason">Why the file is invalid, in words ("valid" otherwise).</param>
/// <param name="Failure">The model's shape failure, when that is its error.</param>
/// <param name="MultiplyAdds">Rough per-sample cost of a forward pass, to keep the models that are run small.</param>
/// <param name="Parameters">Trainable parameters of the whole model.</param>
public sealed record ReferenceResult(
    IReadOnlyList<ReferenceRow> Rows,
    IReadOnlyList<string> ExpectedIds,
    string Reason,
    ReferenceFailure? Failure,
    long MultiplyAdds,
    long Parameters)
{
    public bool IsValid => ExpectedIds.Count == 0;

    /// <summary>How many blocks deep the deepest placement of a valid model is (0 without blocks).</summary>
    public int Depth { get; init; }

    /// <summary>For each block a valid model places, the number of different input shapes it is placed at.</summary>
    public IReadOnlyDictionary<string, int> BlockShapes { get; init; } = new Dictionary<string, int>();
}

/// <summary>
/// Shape arithmetic written from PyTorch's documentation and LayerDsl's attribute documentation, independently of the
/// generator. For a window over a side n with kernel k, stride s, padding p and dilation d: Conv2d, Conv1d and the pools
/// give <c>floor((n + 2p - d(k - 1) - 1) / s) + 1</c>, which must be at least 1; Keras' "same" gives <c>ceil(n / s)</c>;
/// ConvTranspose2d gives <c>(n - 1)s - 2p + d(k - 1) + output_padding + 1</c> ("same": <c>n * s</c>); grouped
/// convolutions need the groups to divide the input channels. Blocks are layer lists inferred where they are placed; a
/// residual adds its input (or a 1 × 1 convolution of it, whose stride s gives <c>ceil(n / s)</c>, or a Linear layer)
/// to its block's output; a concatenation joins along the channels. Sizes are computed in arbitrary precision.
/// </summary>
/// <remarks>
/// Which errors are reported follows LayerDsl's documented policy: every argument error of a declaration at once, else
/// the first layer (in the order they run, blocks included) whose shape does not fit; a placement of a class that is not
/// a block, of a block that reaches a cycle of placements, or of a block with errors of its own is reported before
/// anything inside the block runs; each block declaration reports its own argument errors and the placements it makes
/// of unusable classes.
/// </remarks>
public sealed class ReferenceShapes
{
    public const string InvalidArgument = "LDSL0010";
    public const string WindowLargerThanInput = "LDSL0011";
    public const string WrongInputRank = "LDSL0012";
    public const string InFeaturesMismatch = "LDSL0013";
    public const string SizeOverflow = "LDSL0014";
    public const string NoLayers = "LDSL0015";
    public const string NotABlock = "LDSL0021";
    public const string BlockCycle = "LDSL0022";
    public const string BlockHasErrors = "LDSL0023";
    public const string ResidualShapeMismatch = "LDSL0024";
    public const string BranchShapeMismatch = "LDSL0025";
    public const string BlockWithInput = "LDSL0026";
    public const string ReshapeSizeMismatch = "LDSL0027";
    public const string GroupsDoNotDivide = "LDSL0028";
    public const string NotPartial = "LDSL0001";
    public const string MissingInput = "LDSL0006";

    /// <summary>The most copies a <c>Use</c> may make (the attribute's documented limit).</summary>
    public const long MaxRepeat = 1000;

    private static readonly BigInteger IntMax = int.MaxValue;
    private static readonly BigInteger LongMax = long.MaxValue;

    private readonly RandomModel model;

    /// <summary>The input shapes at which each block is placed, in a valid model.</summary>
    private readonly Dictionary<string, HashSet<string>> placements = new();

    private int deepest;

    private ReferenceShapes(RandomModel model) => this.model = model;

    public static ReferenceResult Infer(RandomModel model)
    {
        var reference = new ReferenceShapes(model);
        var ids = new List<string>();
        var reasons = new List<string>();
        foreach (var declaration in model.Declarations)
        {
            foreach (var (id, reason) in reference.DeclarationErrors(declaration))
            {
                ids.Add(id);
                reasons.Add($"{declaration.Name}: {reason}");
            }
        }

        var arguments = reference.ModelArgumentErrors();
        if (arguments.Count > 0)
        {
            ids.AddRange(arguments.Select(a => a.Id));
            reasons.AddRange(arguments.Select(a => $"{model.ClassName}: {a.Reason}"));
            return new ReferenceResult(Array.Empty<ReferenceRow>(), ids, string.Join("; ", reasons), null, 0, 0);
        }

        var input = model.Input;
        var outcome = reference.Run(model.Layers, input, (BigInteger)input.Aggregate(1L, (a, b) => a * b) * 4);
        if (outcome.Failure is { } failure)
        {
            ids.Add(failure.Id);
            reasons.Add($"{model.ClassName}: {failure.Reason}");
        }

        return ids.Count > 0
            ? new ReferenceResult(Array.Empty<ReferenceRow>(), ids, string.Join("; ", reasons), outcome.Failure, 0, 0)
            : new ReferenceResult(outcome.Rows, ids, "valid", null, (long)BigInteger.Min(outcome.Macs, LongMax), (long)outcome.Parameters)
            {
                Depth = reference.deepest,
                BlockShapes = reference.placements.ToDictionary(p => p.Key, p => p.Value.Count),
            };
    }

    /// <summary>The output of <paramref name="layers"/> (placing the model's blocks) on <paramref name="input"/>, or null when a layer does not fit or has a bad argument.</summary>
    public static long[]? Output(RandomModel model, IReadOnlyList<RandomLayer> layers, long[] input)
    {
        var reference = new ReferenceShapes(model);
        if (layers.SelectMany(ArgumentErrors).Any())
        {
            return null;
        }

        return reference.Run(layers, input, 0) is { Failure: null } outcome ? outcome.Output : null;
    }

    /// <summary>The argument errors of one layer, one reason per LDSL0010 (arguments are checked before any shape).</summary>
    public static List<string> ArgumentErrors(RandomLayer layer)
    {
        var errors = new List<string>();
        void Require(bool ok, string what)
        {
            if (!ok)
            {
                errors.Add($"{layer.Kind}: {what}");
            }
        }

        bool ActivationDefined(int value) => value is >= 0 and <= 9;
        bool Finite(double value) => !double.IsNaN(value) && !double.IsInfinity(value);

        // The options of every 2-D convolution: a per-dimension stride or padding of 0 means the common value.
        void Geometry()
        {
            if (layer.Square)
            {
                Require(layer.KernelHeight > 0, "kernelSize");
            }
            else
            {
                Require(layer.KernelHeight > 0, "kernelHeight");
                Require(layer.KernelWidth > 0, "kernelWidth");
            }

            var (sh, sw) = Strides(layer);
            Require(sh > 0 && sw > 0, "Stride");
            Require(layer.Dilation > 0, "Dilation");
            var (ph, pw) = Pads(layer);
            Require(ph >= 0 && pw >= 0, "Pad");
            if (layer.Padding is not (0 or 1))
            {
                Require(false, "Padding");
            }
            else
            {
                Require(layer.Padding == 0 || (ph == 0 && pw == 0), "Pad with Padding.Same");
            }
        }

        switch (layer.Kind)
        {
            case RandomLayerKind.Conv2D:
                Require(layer.Size > 0, "filters");
                Geometry();
                Require(layer.Groups > 0, "Groups");
                Require(ActivationDefined(layer.Activation), "Activation");
                if (errors.Count == 0)
                {
                    Require(layer.Size % layer.Groups == 0, "Groups divides the filters");
                }

                break;
            case RandomLayerKind.DepthwiseConv2D:
                Geometry();
                Require(layer.DepthMultiplier > 0, "DepthMultiplier");
                Require(ActivationDefined(layer.Activation), "Activation");
                break;
            case RandomLayerKind.ConvTranspose2D:
            {
                Require(layer.Size > 0, "filters");
                Geometry();
                Require(ActivationDefined(layer.Activation), "Activation");
                // PyTorch: output padding must be smaller than either stride or dilation (in each dimension).
                var (sh, sw) = Strides(layer);
                if (errors.Count == 0)
                {
                    Require(layer.OutputPadding >= 0 && layer.OutputPadding < Math.Max(sh, layer.Dilation) && layer.OutputPadding < Math.Max(sw, layer.Dilation), "OutputPadding");
                }

                if (errors.Count == 0)
                {
                    Require(layer.Padding == 0 || layer.OutputPadding == 0, "OutputPadding with Padding.Same");
                }

                break;
            }

            case RandomLayerKind.MaskedConv:
                Require(layer.KernelHeight > 0, "kernelSize");
                Require(layer.Size > 0, "filters");
                Require(layer.Stride > 0, "Stride");
                Require(layer.Padding is 0 or 1, "Padding");
                Require(layer.MaskActivation is 0 or 1, "MaskActivation");
                Require(ActivationDefined(layer.Activation), "Activation");
                break;
            case RandomLayerKind.Conv1D:
                Require(layer.Size > 0, "filters");
                Require(layer.KernelHeight > 0, "kernelSize");
                Require(layer.Stride > 0, "Stride");
                Require(layer.Dilation > 0, "Dilation");
                Require(layer.Groups > 0, "Groups");
                Require(layer.Padding is 0 or 1, "Padding");
                Require(ActivationDefined(layer.Activation), "Activation");
                Require(layer.Pad >= 0 && (layer.Padding != 1 || layer.Pad == 0), "Pad");
                if (errors.Count == 0)
                {
                    Require(layer.Size % layer.Groups == 0, "Groups divides the filters");
                }

                break;
            case RandomLayerKind.MaxPool2D:
            case RandomLayerKind.AvgPool2D:
            {
                if (layer.Square)
                {
                    Require(layer.KernelHeight > 0, "poolSize");
                }
                else
                {
                    Require(layer.KernelHeight > 0, "poolHeight");
                    Require(layer.KernelWidth > 0, "poolWidth");
                }

                var sh = layer.StrideHeight != 0 ? layer.StrideHeight : layer.Stride;
                var sw = layer.StrideWidth != 0 ? layer.StrideWidth : layer.Stride;
                Require(sh >= 0 && sw >= 0, "Stride");
                break;
            }

            case RandomLayerKind.MaxPool1D:
            case RandomLayerKind.AvgPool1D:
                Require(layer.KernelHeight > 0, "poolSize");
                Require(layer.Stride >= 0, "Stride");
                break;
            case RandomLayerKind.Dense:
                Require(layer.Size > 0, "units");
                Require(ActivationDefined(layer.Activation), "Activation");
                Require(layer.InFeatures >= 0, "InFeatures");
                break;
            case RandomLayerKind.Dropout:
                Require(layer.Rate >= 0 && layer.Rate < 1, "rate");
                break;
            case RandomLayerKind.BatchNorm:
                Require(layer.Epsilon > 0 && Finite(layer.Epsilon), "Epsilon");
                Require(layer.Momentum >= 0 && layer.Momentum <= 1, "Momentum");
                break;
            case RandomLayerKind.LayerNorm:
                Require(layer.Epsilon > 0 && Finite(layer.Epsilon), "Epsilon");
                break;
            case RandomLayerKind.Reshape:
                Require(layer.Dims.Length > 0 && layer.Dims.Count(d => d == -1) <= 1 && layer.Dims.All(d => d > 0 || d == -1), "shape");
                break;
            case RandomLayerKind.Permute:
                Require(layer.Dims.Length > 0 && layer.Dims.OrderBy(a => a).SequenceEqual(Enumerable.Range(0, layer.Dims.Length).Select(i => (long)i)), "axes");
                break;
            case RandomLayerKind.Upsample2D:
                Require(layer.Scale > 0, "scale");
                Require(layer.Mode is 0 or 2, "Mode");
                break;
            case RandomLayerKind.LeakyReLU:
                Require(double.IsNaN(layer.Parameter) ? true : Finite(layer.Parameter), "slope");
                break;
            case RandomLayerKind.ELU:
                Require(double.IsNaN(layer.Parameter) || (layer.Parameter > 0 && Finite(layer.Parameter)), "alpha");
                break;
            case RandomLayerKind.Use:
                Require(layer.Repeat >= 1 && layer.Repeat <= MaxRepeat, "Repeat");
                break;
            case RandomLayerKind.Residual:
                Require(ActivationDefined(layer.Activation), "Activation");
                break;
        }

        return errors;
    }

    /// <summary>The strides of a 2-D convolution: a per-dimension value, or the common one when it is 0.</summary>
    public static (long Height, long Width) Strides(RandomLayer layer) =>
        (layer.StrideHeight != 0 ? layer.StrideHeight : layer.Stride, layer.StrideWidth != 0 ? layer.StrideWidth : layer.Stride);

    /// <summary>The explicit padding of a 2-D convolution: a per-dimension value, or the common one when it is 0.</summary>
    public static (long Height, long Width) Pads(RandomLayer layer) =>
        (layer.PadHeight != 0 ? layer.PadHeight : layer.Pad, layer.PadWidth != 0 ? layer.PadWidth : layer.Pad);

    /// <summary>A pool's strides: the written stride (per dimension, else common), the pool size when 0.</summary>
    public static (long Height, long Width) PoolStrides(RandomLayer layer)
    {
        var sh = layer.StrideHeight != 0 ? layer.StrideHeight : layer.Stride;
        var sw = layer.StrideWidth != 0 ? layer.StrideWidth : layer.Stride;
        return (sh != 0 ? sh : layer.KernelHeight, sw != 0 ? sw : (layer.Square ? layer.KernelHeight : layer.KernelWidth));
    }

    /// <summary>The kernel width of a 2-D layer (the kernel size when written square).</summary>
    public static long KernelWidth(RandomLayer layer) => layer.Square ? layer.KernelHeight : layer.KernelWidth;

    /// <summary>The stable name prefix of a layer's field (<c>conv</c> gives <c>conv1</c>, <c>conv2</c>): the state-dict key.</summary>
    public static string Prefix(RandomLayer layer) => layer.Kind switch
    {
        RandomLayerKind.Conv2D => "conv",
        RandomLayerKind.DepthwiseConv2D => "depthwiseConv",
        RandomLayerKind.ConvTranspose2D => "convTranspose",
        RandomLayerKind.MaskedConv => "maskedConv",
        RandomLayerKind.Conv1D => "conv1d",
        RandomLayerKind.MaxPool2D => "maxPool",
        RandomLayerKind.AvgPool2D => "avgPool",
        RandomLayerKind.MaxPool1D => "maxPool1d",
        RandomLayerKind.AvgPool1D => "avgPool1d",
        RandomLayerKind.GlobalAvgPool2D => "globalAvgPool",
        RandomLayerKind.GlobalMaxPool2D => "globalMaxPool",
        RandomLayerKind.GlobalAvgPool1D => "globalAvgPool1d",
        RandomLayerKind.GlobalMaxPool1D => "globalMaxPool1d",
        RandomLayerKind.Flatten => "flatten",
        RandomLayerKind.Dense => "dense",
        RandomLayerKind.Dropout => "dropout",
        RandomLayerKind.BatchNorm => "batchNorm",
        RandomLayerKind.LayerNorm => "layerNorm",
        RandomLayerKind.Reshape => "reshape",
        RandomLayerKind.Permute => "permute",
        RandomLayerKind.Upsample2D => "upsample",
        RandomLayerKind.ReLU => "relu",
        RandomLayerKind.Tanh => "tanh",
        RandomLayerKind.Sigmoid => "sigmoid",
        RandomLayerKind.Softmax => "softmax",
        RandomLayerKind.GELU => "gelu",
        RandomLayerKind.SiLU => "silu",
        RandomLayerKind.Hardswish => "hardswish",
        RandomLayerKind.LeakyReLU => "leakyRelu",
        RandomLayerKind.ELU => "elu",
        RandomLayerKind.Use => Camel(layer.Blocks[0]),
        RandomLayerKind.Residual => "residual",
        RandomLayerKind.Concat => "concat",
        _ => "add",
    };

    private static string Camel(string name) => char.ToLowerInvariant(name[0]) + name.Substring(1);

    private sealed record Outcome(long[] Output, BigInteger Parameters, BigInteger Macs, List<ReferenceRow> Rows, ReferenceFailure? Failure);

    private static Outcome Fail(string id, string reason, RandomLayer layer, long[] input, params long[][] outputs) =>
        new(input, 0, 0, new List<ReferenceRow>(), new ReferenceFailure(id, reason, layer, input, outputs));

    private List<(string Id, string Reason)> ModelArgumentErrors()
    {
        var errors = new List<(string, string)>();
        var input = model.Input;
        foreach (var dim in input.Where(d => d <= 0))
        {
            errors.Add((InvalidArgument, $"input size {dim}"));
        }

        if (errors.Count == 0 && input.Aggregate(BigInteger.One, (a, b) => a * b) > IntMax)
        {
            errors.Add((SizeOverflow, "input of more than 2^31 - 1 values"));
        }

        if (model.Layers.Count == 0)
        {
            errors.Add((NoLayers, "no layers"));
        }

        errors.AddRange(model.Layers.SelectMany(ArgumentErrors).Select(e => (InvalidArgument, e)));
        return errors;
    }

    private IEnumerable<(string Id, string Reason)> DeclarationErrors(RandomDeclaration declaration)
    {
        switch (declaration.Kind)
        {
            case RandomDeclarationKind.Plain:
                if (declaration.Layers.Count > 0)
                {
                    yield return (MissingInput, "layer attributes without [Input] or [Block]");
                }

                yield break;
            case RandomDeclarationKind.BlockWithInput:
                yield return (BlockWithInput, "[Block] with an [Input]");
                yield break;
        }

        if (!declaration.Partial)
        {
            yield return (NotPartial, "not partial");
            yield break;
        }

        if (declaration.Layers.Count == 0)
        {
            yield return (NoLayers, "no layers");
        }

        foreach (var error in declaration.Layers.SelectMany(ArgumentErrors))
        {
            yield return (InvalidArgument, error);
        }

        // Each placement attribute reports each class it cannot place once.
        foreach (var layer in declaration.Layers.Where(l => l.IsComposite))
        {
            foreach (var name in layer.Blocks.Distinct())
            {
                if (Problem(name) is { } problem)
                {
                    yield return (problem.Id, $"{layer.Kind}<{name}>: {problem.Reason}");
                }
            }
        }
    }

    /// <summary>Why a class cannot be placed: not a block, reaches a cycle of placements, or has errors of its own.</summary>
    private (string Id, string Reason)? Problem(string name)
    {
        var declaration = model.Find(name);
        if (name == model.ClassName || declaration is null || declaration.Kind != RandomDeclarationKind.Block)
        {
            return (NotABlock, $"{name} is not a block");
        }

        if (ReachesCycle(name))
        {
            return (BlockCycle, $"{name} reaches a cycle of placements");
        }

        if (!declaration.Partial || declaration.Layers.Count == 0 || declaration.Layers.SelectMany(ArgumentErrors).Any())
        {
            return (BlockHasErrors, $"{name} has errors of its own");
        }

        return null;
    }

    /// <summary>The classes a declaration places directly (the model's own class is never a node: blocks do not place it).</summary>
    private IEnumerable<string> Placed(string name) =>
        model.Find(name) is { } declaration
            ? declaration.Layers.Where(l => l.IsComposite).SelectMany(l => l.Blocks).Where(b => b != model.ClassName && model.Find(b) is not null).Distinct()
            : Enumerable.Empty<string>();

    private HashSet<string> Reachable(string from, bool includeSelf)
    {
        var seen = new HashSet<string>();
        var pending = new Stack<string>(includeSelf ? new[] { from } : Placed(from));
        while (pending.Count > 0)
        {
            var next = pending.Pop();
            if (seen.Add(next))
            {
                foreach (var placed in Placed(next))
                {
                    pending.Push(placed);
                }
            }
        }

        return seen;
    }

    private bool ReachesCycle(string name) => Reachable(name, includeSelf: true).Any(node => Reachable(node, includeSelf: false).Contains(node));

    /// <summary>The field names of a list of layers (a repeated <c>Use</c> is one layer per copy): each prefix numbered in order.</summary>
    private static List<(RandomLayer Layer, string Name)> Expand(IReadOnlyList<RandomLayer> layers)
    {
        var counters = new Dictionary<string, int>();
        var taken = new HashSet<string>();
        var named = new List<(RandomLayer, string)>();
        foreach (var layer in layers)
        {
            var copies = layer.Kind == RandomLayerKind.Use && layer.Repeat is >= 1 and <= MaxRepeat ? layer.Repeat : 1;
            for (var copy = 0; copy < copies; copy++)
            {
                var prefix = Prefix(layer);
                string name;
                do
                {
                    counters[prefix] = counters.GetValueOrDefault(prefix) + 1;
                    name = prefix + counters[prefix];
                }
                while (!taken.Add(name));
                named.Add((layer, name));
            }
        }

        return named;
    }

    /// <summary>
    /// The child names of a concatenation's or sum's branches: the block's name in camel case, a repeated one numbered in
    /// order, skipping a name another branch has.
    /// </summary>
    public static List<string> BranchNames(IReadOnlyList<string> blocks)
    {
        var camel = blocks.Select(Camel).ToList();
        var taken = new HashSet<string>(camel.Where(name => camel.Count(other => other == name) == 1));
        var counters = new Dictionary<string, int>();
        var names = new List<string>();
        foreach (var name in camel)
        {
            if (camel.Count(other => other == name) == 1)
            {
                names.Add(name);
                continue;
            }

            string numbered;
            do
            {
                counters[name] = counters.GetValueOrDefault(name) + 1;
                numbered = name + counters[name];
            }
            while (!taken.Add(numbered));
            names.Add(numbered);
        }

        return names;
    }

    private Outcome Run(IReadOnlyList<RandomLayer> layers, long[] input, BigInteger macs, string prefix = "", int depth = 0)
    {
        var shape = input;
        BigInteger total = 0;
        var rows = new List<ReferenceRow>();
        foreach (var (layer, name) in Expand(layers))
        {
            var step = Apply(layer, prefix, name, shape, depth);
            if (step.Failure is not null)
            {
                return step;
            }

            total += step.Parameters;
            if (total > LongMax)
            {
                return Fail(SizeOverflow, $"the parameter total passes 2^63 at {name}", layer, shape);
            }

            macs += step.Macs;
            rows.AddRange(step.Rows);
            shape = step.Output;
        }

        return new Outcome(shape, total, macs, rows, null);
    }

    private (int Min, int Max) Ranks(RandomLayer layer) => layer.Kind switch
    {
        RandomLayerKind.Conv2D or RandomLayerKind.DepthwiseConv2D or RandomLayerKind.ConvTranspose2D or RandomLayerKind.MaskedConv
            or RandomLayerKind.MaxPool2D or RandomLayerKind.AvgPool2D or RandomLayerKind.GlobalAvgPool2D or RandomLayerKind.GlobalMaxPool2D
            or RandomLayerKind.Upsample2D => (3, 3),
        RandomLayerKind.Conv1D or RandomLayerKind.MaxPool1D or RandomLayerKind.AvgPool1D or RandomLayerKind.GlobalAvgPool1D or RandomLayerKind.GlobalMaxPool1D => (2, 2),
        RandomLayerKind.BatchNorm => (1, 3),
        RandomLayerKind.Permute => (layer.Dims.Length, layer.Dims.Length),
        _ => (1, int.MaxValue),
    };

    /// <summary>Output side of a sliding window (Conv2d, Conv1d, pools), or of Keras' "same" padding.</summary>
    private static BigInteger Side(BigInteger n, BigInteger kernel, BigInteger stride, BigInteger pad, BigInteger dilation, bool same)
    {
        if (same)
        {
            return (n + stride - 1) / stride;
        }

        var span = n + (2 * pad) - (dilation * (kernel - 1)) - 1;
        return span < 0 ? 0 : (span / stride) + 1;
    }

    private Outcome Apply(RandomLayer layer, string prefix, string name, long[] input, int depth)
    {
        var (min, max) = Ranks(layer);
        if (input.Length < min || input.Length > max)
        {
            return Fail(WrongInputRank, $"{name} ({layer.Kind}) receives a rank-{input.Length} [{string.Join(", ", input)}] tensor", layer, input);
        }

        BigInteger[] output;
        BigInteger parameters = 0;
        BigInteger macs;
        var rows = new List<ReferenceRow>();
        BigInteger Size(IEnumerable<BigInteger> dims) => dims.Aggregate(BigInteger.One, (a, b) => a * b);
        var size = Size(input.Select(d => (BigInteger)d));
        BigInteger c = input[0];
        var role = "Layer";
        switch (layer.Kind)
        {
            case RandomLayerKind.Conv2D:
            case RandomLayerKind.DepthwiseConv2D:
            case RandomLayerKind.MaskedConv:
            {
                var masked = layer.Kind == RandomLayerKind.MaskedConv;
                var groups = layer.Kind == RandomLayerKind.Conv2D ? layer.Groups : 1;
                if (groups > 1 && c % groups != 0)
                {
                    return Fail(GroupsDoNotDivide, $"{name}: {c} channels in {groups} groups", layer, input);
                }

                var (sh, sw) = masked ? (layer.Stride, layer.Stride) : Strides(layer);
                var (ph, pw) = masked ? (0L, 0L) : Pads(layer);
                var dilation = masked ? 1 : layer.Dilation;
                var kh = layer.KernelHeight;
                var kw = masked ? layer.KernelHeight : KernelWidth(layer);
                var oh = Side(input[1], kh, sh, ph, dilation, layer.Padding == 1);
                var ow = Side(input[2], kw, sw, pw, dilation, layer.Padding == 1);
                if (oh < 1 || ow < 1)
                {
                    return Fail(WindowLargerThanInput, $"{name}: a {kh}x{kw} window (dilation {dilation}, padding {ph}x{pw}) over {input[1]}x{input[2]}", layer, input);
                }

                BigInteger channels = layer.Kind switch
                {
                    RandomLayerKind.DepthwiseConv2D => c * layer.DepthMultiplier,
                    _ => layer.Size,
                };
                output = new[] { channels, oh, ow };
                if (masked)
                {
                    BigInteger taps = kh * (BigInteger)kh;
                    parameters = (taps * c * taps) + taps + (channels * c * taps) + (layer.UseBias ? channels : 0);
                    macs = (oh * ow * taps * c * taps) + (channels * oh * ow * c * taps) + (oh * ow * c * taps * 2);
                }
                else
                {
                    var perOutput = (c / groups) * kh * kw;
                    if (layer.Kind == RandomLayerKind.DepthwiseConv2D)
                    {
                        perOutput = (BigInteger)kh * kw;
                    }

                    parameters = (channels * perOutput) + (layer.UseBias ? channels : 0);
                    macs = channels * oh * ow * perOutput;
                }

                break;
            }

            case RandomLayerKind.ConvTranspose2D:
            {
                var (sh, sw) = Strides(layer);
                var (ph, pw) = Pads(layer);
                BigInteger Grow(long n, long k, long s, long p) => layer.Padding == 1
                    ? (BigInteger)n * s
                    : ((BigInteger)(n - 1) * s) - (2 * (BigInteger)p) + ((BigInteger)layer.Dilation * (k - 1)) + layer.OutputPadding + 1;
                var oh = Grow(input[1], layer.KernelHeight, sh, ph);
                var ow = Grow(input[2], KernelWidth(layer), sw, pw);
                if (oh < 1 || ow < 1)
                {
                    return Fail(WindowLargerThanInput, $"{name}: a transposed convolution to {oh}x{ow}", layer, input);
                }

                output = new[] { (BigInteger)layer.Size, oh, ow };
                parameters = (c * layer.Size * layer.KernelHeight * KernelWidth(layer)) + (layer.UseBias ? layer.Size : 0);
                macs = size * layer.Size * layer.KernelHeight * KernelWidth(layer);
                break;
            }

            case RandomLayerKind.Conv1D:
            {
                if (layer.Groups > 1 && c % layer.Groups != 0)
                {
                    return Fail(GroupsDoNotDivide, $"{name}: {c} channels in {layer.Groups} groups", layer, input);
                }

                var length = Side(input[1], layer.KernelHeight, layer.Stride, layer.Pad, layer.Dilation, layer.Padding == 1);
                if (length < 1)
                {
                    return Fail(WindowLargerThanInput, $"{name}: a length-{layer.KernelHeight} kernel (dilation {layer.Dilation}, padding {layer.Pad}) over {input[1]}", layer, input);
                }

                output = new[] { (BigInteger)layer.Size, length };
                var perOutput = (c / layer.Groups) * layer.KernelHeight;
                parameters = (layer.Size * perOutput) + (layer.UseBias ? layer.Size : 0);
                macs = layer.Size * length * perOutput;
                break;
            }

            case RandomLayerKind.MaxPool2D:
            case RandomLayerKind.AvgPool2D:
            {
                var (sh, sw) = PoolStrides(layer);
                var kw = KernelWidth(layer);
                if (input[1] < layer.KernelHeight || input[2] < kw)
                {
                    return Fail(WindowLargerThanInput, $"{name}: a {layer.KernelHeight}x{kw} pool over {input[1]}x{input[2]}", layer, input);
                }

                output = new[] { c, Side(input[1], layer.KernelHeight, sh, 0, 1, false), Side(input[2], kw, sw, 0, 1, false) };
                macs = Size(output) * layer.KernelHeight * kw;
                break;
            }

            case RandomLayerKind.MaxPool1D:
            case RandomLayerKind.AvgPool1D:
            {
                if (input[1] < layer.KernelHeight)
                {
                    return Fail(WindowLargerThanInput, $"{name}: a length-{layer.KernelHeight} pool over {input[1]}", layer, input);
                }

                output = new[] { c, Side(input[1], layer.KernelHeight, layer.Stride != 0 ? layer.Stride : layer.KernelHeight, 0, 1, false) };
                macs = Size(output) * layer.KernelHeight;
                break;
            }

            case RandomLayerKind.GlobalAvgPool2D:
            case RandomLayerKind.GlobalMaxPool2D:
            case RandomLayerKind.GlobalAvgPool1D:
            case RandomLayerKind.GlobalMaxPool1D:
                output = new[] { c };
                macs = size;
                break;
            case RandomLayerKind.Flatten:
                output = new[] { size };
                macs = 0;
                break;
            case RandomLayerKind.Dense:
                if (layer.InFeatures != 0 && layer.InFeatures != size)
                {
                    return Fail(InFeaturesMismatch, $"{name} is pinned to {layer.InFeatures} but gets {size}", layer, input);
                }

                output = new[] { (BigInteger)layer.Size };
                parameters = (size * layer.Size) + (layer.UseBias ? layer.Size : 0);
                macs = size * layer.Size;
                break;
            case RandomLayerKind.BatchNorm:
                parameters = 2 * c;
                output = input.Select(d => (BigInteger)d).ToArray();
                macs = size * 2;
                break;
            case RandomLayerKind.LayerNorm:
                parameters = 2 * (BigInteger)input[^1];
                output = input.Select(d => (BigInteger)d).ToArray();
                macs = size * 4;
                break;
            case RandomLayerKind.Reshape:
            {
                var known = Size(layer.Dims.Where(d => d != -1).Select(d => (BigInteger)d));
                var inferred = layer.Dims.Contains(-1);
                if (inferred ? size % known != 0 : size != known)
                {
                    return Fail(ReshapeSizeMismatch, $"{name}: [{string.Join(", ", layer.Dims)}] for {size} values", layer, input);
                }

                output = layer.Dims.Select(d => d == -1 ? size / known : d).ToArray();
                macs = 0;
                break;
            }

            case RandomLayerKind.Permute:
                output = layer.Dims.Select(a => (BigInteger)input[a]).ToArray();
                macs = size;
                break;
            case RandomLayerKind.Upsample2D:
                output = new[] { c, (BigInteger)input[1] * layer.Scale, (BigInteger)input[2] * layer.Scale };
                macs = Size(output) * (layer.Mode == 2 ? 4 : 1);
                break;
            case RandomLayerKind.Use:
            {
                var placed = Place(layer, layer.Blocks[0], prefix + name + ".", input, depth + 1);
                if (placed.Failure is not null)
                {
                    return placed;
                }

                rows.AddRange(placed.Rows);
                output = placed.Output.Select(d => (BigInteger)d).ToArray();
                parameters = placed.Parameters;
                macs = placed.Macs;
                role = "Use";
                break;
            }

            case RandomLayerKind.Residual:
            {
                var placed = Place(layer, layer.Blocks[0], prefix + name + ".", input, depth + 1);
                if (placed.Failure is not null)
                {
                    return placed;
                }

                var same = placed.Output.SequenceEqual(input);
                if (!(same && !layer.Project))
                {
                    if (!layer.Project || !Projectable(input, placed.Output))
                    {
                        return Fail(ResidualShapeMismatch, $"{name}: input [{string.Join(", ", input)}], block output [{string.Join(", ", placed.Output)}], Project = {layer.Project}", layer, input, input, placed.Output);
                    }

                    BigInteger projection = ((BigInteger)input[0] * placed.Output[0]) + placed.Output[0];
                    if (projection + placed.Parameters > LongMax)
                    {
                        return Fail(SizeOverflow, $"{name} has {projection + placed.Parameters} parameters", layer, input);
                    }

                    rows.Add(new ReferenceRow(prefix + name + "Projection", placed.Output, (long)projection, "Projection"));
                    parameters = projection;
                    macs = projection * Size(placed.Output.Skip(1).Select(d => (BigInteger)d));
                }
                else
                {
                    macs = 0;
                }

                rows.AddRange(placed.Rows);
                output = placed.Output.Select(d => (BigInteger)d).ToArray();
                parameters += placed.Parameters;
                macs += placed.Macs + size;
                role = "Residual";
                break;
            }

            case RandomLayerKind.Concat:
            case RandomLayerKind.Add:
            {
                var names = BranchNames(layer.Blocks);
                var outputs = new List<long[]>();
                macs = 0;
                for (var i = 0; i < layer.Blocks.Length; i++)
                {
                    var path = prefix + name + "." + names[i];
                    var placed = Place(layer, layer.Blocks[i], path + ".", input, depth + 1);
                    if (placed.Failure is not null)
                    {
                        return placed;
                    }

                    rows.AddRange(placed.Rows);
                    rows.Add(new ReferenceRow(path, placed.Output, (long)placed.Parameters, "Branch"));
                    outputs.Add(placed.Output);
                    parameters += placed.Parameters;
                    macs += placed.Macs;
                }

                var first = outputs[0];
                var fits = layer.Kind == RandomLayerKind.Concat
                    ? outputs.All(o => o.Length == first.Length && o.Skip(1).SequenceEqual(first.Skip(1)))
                    : outputs.All(o => o.SequenceEqual(first));
                if (!fits)
                {
                    return Fail(BranchShapeMismatch, $"{name}: branches give {string.Join(", ", outputs.Select(o => "[" + string.Join(", ", o) + "]"))}", layer, input, outputs.ToArray());
                }

                output = layer.Kind == RandomLayerKind.Concat
                    ? new[] { outputs.Aggregate(BigInteger.Zero, (sum, o) => sum + o[0]) }.Concat(first.Skip(1).Select(d => (BigInteger)d)).ToArray()
                    : first.Select(d => (BigInteger)d).ToArray();
                macs += Size(output);
                role = layer.Kind.ToString();
                break;
            }

            default:
                // Dropout and the activations keep the shape.
                output = input.Select(d => (BigInteger)d).ToArray();
                macs = size;
                break;
        }

        if (parameters > LongMax)
        {
            return Fail(SizeOverflow, $"{name} has {parameters} parameters", layer, input);
        }

        if (Size(output) > IntMax)
        {
            return Fail(SizeOverflow, $"{name} gives {Size(output)} values per sample", layer, input);
        }

        var shape = output.Select(d => (long)d).ToArray();
        rows.Add(new ReferenceRow(prefix + name, shape, (long)parameters, role == "Residual" ? "Residual" : "Layer"));
        return new Outcome(shape, parameters, macs, rows, null);
    }

    /// <summary>Whether a 1 × 1 convolution (Linear for features) with some stride s ≥ 1 maps the input's shape onto the output's rank and spatial size.</summary>
    private static bool Projectable(long[] input, long[] output)
    {
        if (input.Length != output.Length || input.Length is < 1 or > 3)
        {
            return false;
        }

        var largest = input.Skip(1).DefaultIfEmpty(1).Max();
        for (long stride = 1; stride <= largest; stride++)
        {
            if (Enumerable.Range(1, input.Length - 1).All(axis => ((input[axis] - 1) / stride) + 1 == output[axis]))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A block placed by <paramref name="layer"/>: its problem, else its layers inferred from <paramref name="input"/>.</summary>
    private Outcome Place(RandomLayer layer, string block, string prefix, long[] input, int depth)
    {
        if (Problem(block) is { } problem)
        {
            return Fail(problem.Id, $"{layer.Kind}<{block}>: {problem.Reason}", layer, input);
        }

        deepest = Math.Max(deepest, depth);
        if (!placements.TryGetValue(block, out var shapes))
        {
            placements[block] = shapes = new HashSet<string>();
        }

        shapes.Add(string.Join(",", input));
        return Run(model.Find(block)!.Layers, input, 0, prefix, depth);
    }
}
