using System.Collections.Generic;
using System.Linq;
using LayerDsl.Generator.Helpers;
using LayerDsl.Generator.Models;

namespace LayerDsl.Generator.Layers;

/// <summary>
/// <c>[Residual&lt;T&gt;(Activation, Project)]</c>: <c>activation(skip + T(x))</c>, where the skip path is <c>x</c> itself
/// or, with <c>Project</c>, a 1 × 1 convolution of <c>x</c> (Conv2d on <c>[C, H, W]</c>, Conv1d on <c>[C, L]</c>, Linear on
/// <c>[F]</c>) whose stride brings it to the block's output shape. The block is the field <c>residual1</c>, so its
/// parameters are <c>residual1.conv1.weight</c>; the projection is the field <c>residual1Projection</c>.
/// </summary>
internal sealed record ResidualLayer(string Display, int Index, BlockRef Block, int ActivationValue, bool Project)
    : CompositeLayer(Display, Index, new EquatableArray<BlockRef>(new[] { Block }))
{
    public override string Kind => "Residual";

    public override string NamePrefix => "residual";

    public override ActivationKind Activation => (ActivationKind)ActivationValue;

    public static LayerSpec Parse(AttributeArgs a) => new ResidualLayer(a.Display, a.Index, a.TypeArguments[0], a.Enum("Activation"), a.Bool("Project"));

    public override IEnumerable<DiagnosticInfo> ValidateArguments() => Defined("Activation", ActivationValue, Activations.MaxValue);

    public override LayerOutcome Infer(LayerInput input)
    {
        var (branch, error) = Place(input, Block, Name, Display);
        if (error is not null)
        {
            return LayerOutcome.Fail(error);
        }

        var shape = input.Shape;
        var output = branch!.Output;
        var stride = ProjectionStride(shape, output);
        if (shape == output && !Project)
        {
            return LayerOutcome.Composite(output, branch.Parameters, new EquatableArray<BranchTrace>(new[] { branch }));
        }

        if (!Project || stride == 0)
        {
            var remedy = stride == 0
                ? "no 1 × 1 projection with a stride maps one onto the other, so change the block"
                : stride == 1
                    ? "set Project = true to add a 1 × 1 convolution on the skip path"
                    : $"set Project = true to add a 1 × 1 convolution with stride {Format.Number(stride)} on the skip path";
            return LayerOutcome.Fail(DiagnosticInfo.At(DiagnosticIds.ResidualShapeMismatch, At(), Display, shape.ToString(), output.ToString(), remedy));
        }

        var projection = checked((shape[0] * output[0]) + output[0]);
        return LayerOutcome.Composite(output, ParameterCount.Add(branch.Parameters, projection), new EquatableArray<BranchTrace>(new[] { branch }), stride);
    }

    public override IEnumerable<(string Type, string Name, string Construction)> Fields(LayerTrace trace)
    {
        if (trace.ProjectionStride > 0)
        {
            yield return (ProjectionType(trace.Input), ProjectionName(trace), ProjectionConstruction(trace));
        }

        yield return (Block.TypeExpression, trace.Name, NewBlock(trace.Branches[0]));
    }

    public override void EmitForward(List<string> statements, string name, Shape input, Shape output)
    {
        // Forward below needs the trace (projection); this overload is never used for a residual.
    }

    public override void EmitOnnx(List<string> statements, LayerTrace trace)
    {
        var skip = trace.ProjectionStride > 0 ? $"onnx.Module(x, {ProjectionName(trace)}, {OnnxCode.Name(ProjectionName(trace))})" : "x";
        statements.Add($"x = onnx.Add({skip}, onnx.Module(x, {trace.Name}, {OnnxCode.Name(trace.Name)}), {OnnxCode.Name(trace.Name, "add")});");
    }

    public override IEnumerable<(string Name, string Construction)> PythonFields(LayerTrace trace, PythonBlocks blocks)
    {
        if (trace.ProjectionStride > 0)
        {
            var channels = $"{Py.Int(trace.Input[0])}, {Py.Int(trace.Output[0])}";
            var stride = trace.ProjectionStride > 1 ? $", stride={Py.Int(trace.ProjectionStride)}" : string.Empty;
            yield return (ProjectionName(trace), trace.Input.Rank switch
            {
                1 => $"nn.Linear({channels})",
                2 => $"nn.Conv1d({channels}, 1{stride})",
                _ => $"nn.Conv2d({channels}, 1{stride})",
            });
        }

        yield return (trace.Name, blocks.ClassName(trace.Branches[0]) + "()");
    }

    public override void EmitPython(List<string> statements, LayerTrace trace)
    {
        var skip = trace.ProjectionStride > 0 ? $"self.{ProjectionName(trace)}(x)" : "x";
        statements.Add($"x = {skip} + self.{trace.Name}(x)");
    }

    public override void Forward(List<string> statements, LayerTrace trace, bool activation)
    {
        var skip = trace.ProjectionStride > 0 ? $"{ProjectionName(trace)}.call(x)" : "x";
        statements.Add($"x = {skip}.add({trace.Name}.call(x));");
        if (activation && ActivationStatement is { } statement)
        {
            statements.Add(statement);
        }
    }

    public override void Trace(List<string> statements, LayerTrace trace)
    {
        statements.Add("{");
        if (trace.ProjectionStride > 0)
        {
            statements.Add($"    var skip = {ProjectionName(trace)}.call(x);");
            statements.Add("    outputs.Add(skip);");
        }
        else
        {
            statements.Add("    var skip = x;");
        }

        statements.Add($"    var inner = {trace.Name}.ForwardTrace(x);");
        statements.Add("    outputs.AddRange(inner);");
        statements.Add("    x = skip.add(inner[inner.Count - 1]);");
        if (ActivationStatement is { } activation)
        {
            statements.Add("    " + activation);
        }

        statements.Add("    outputs.Add(x);");
        statements.Add("}");
    }

    public override IEnumerable<InfoRow> InfoRows(LayerTrace trace, string prefix)
    {
        if (trace.ProjectionStride > 0)
        {
            yield return new InfoRow(prefix + ProjectionName(trace), "Projection", ProjectionDisplay(trace), trace.Output, ProjectionParameters(trace));
        }

        foreach (var row in ChildRows(trace.Branches[0], prefix + trace.Name + "."))
        {
            yield return row;
        }

        yield return new InfoRow(prefix + trace.Name, Kind, Display, trace.Output, trace.Parameters);
    }

    public override IEnumerable<SummaryRow> SummaryRows(LayerTrace trace, int depth)
    {
        yield return new SummaryRow(depth, trace.Name, Display, trace.Output, trace.Parameters);
        if (trace.ProjectionStride > 0)
        {
            yield return new SummaryRow(depth + 1, "projection", ProjectionDisplay(trace), trace.Output, ProjectionParameters(trace));
        }

        foreach (var row in Children(trace.Branches[0], depth + 1))
        {
            yield return row;
        }
    }

    /// <summary>
    /// The stride of a 1 × 1 projection from <paramref name="input"/> to <paramref name="output"/>: 1 when the shapes already
    /// agree but for the channels (or features), the smallest stride that gives the output's spatial size, 0 when none does.
    /// </summary>
    private static long ProjectionStride(Shape input, Shape output)
    {
        if (input.Rank != output.Rank || input.Rank is < 1 or > 3)
        {
            return 0;
        }

        if (input.Rank == 1)
        {
            return 1;
        }

        // A stride s gives ceil(n / s), which falls as s grows: no stride below ceil(n / out) is small enough for an
        // axis, so the largest of those bounds is the only candidate for the smallest stride that fits every axis.
        long stride = 1;
        for (var axis = 1; axis < input.Rank; axis++)
        {
            if (output[axis] < 1)
            {
                return 0;
            }

            stride = System.Math.Max(stride, CeilDiv(input[axis], output[axis]));
        }

        for (var axis = 1; axis < input.Rank; axis++)
        {
            if (CeilDiv(input[axis], stride) != output[axis])
            {
                return 0;
            }
        }

        return stride;
    }

    private static long CeilDiv(long a, long b) => (a + b - 1) / b;

    private static string ProjectionName(LayerTrace trace) => trace.Name + "Projection";

    private static long ProjectionParameters(LayerTrace trace) => (trace.Input[0] * trace.Output[0]) + trace.Output[0];

    private static string ProjectionType(Shape input) => input.Rank switch
    {
        1 => "global::TorchSharp.Modules.Linear",
        2 => "global::TorchSharp.Modules.Conv1d",
        _ => "global::TorchSharp.Modules.Conv2d",
    };

    private static string ProjectionDisplay(LayerTrace trace) => trace.Input.Rank == 1
        ? $"Dense({Format.Number(trace.Output[0])})"
        : $"1 × 1 convolution, {Format.Number(trace.Output[0])} filters{(trace.ProjectionStride > 1 ? ", stride " + Format.Number(trace.ProjectionStride) : string.Empty)}";

    private static string ProjectionConstruction(LayerTrace trace)
    {
        var channels = $"{Format.LongLiteral(trace.Input[0])}, {Format.LongLiteral(trace.Output[0])}";
        var stride = trace.ProjectionStride > 1 ? $", stride: {Format.LongLiteral(trace.ProjectionStride)}" : string.Empty;
        return trace.Input.Rank switch
        {
            1 => $"global::TorchSharp.torch.nn.Linear({channels})",
            2 => $"global::TorchSharp.torch.nn.Conv1d({channels}, 1L{stride})",
            _ => $"global::TorchSharp.torch.nn.Conv2d({channels}, 1L{stride})",
        };
    }
}
