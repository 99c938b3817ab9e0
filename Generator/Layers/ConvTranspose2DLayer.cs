using System.Collections.Generic;
using System.Linq;
using LayerDsl.Generator.Helpers;
using LayerDsl.Generator.Models;

namespace LayerDsl.Generator.Layers;

/// <summary>
/// <c>[ConvTranspose2D(filters, kernelSize, Stride, Padding, OutputPadding)]</c>: TorchSharp's ConvTranspose2d.
/// Valid: <c>(n - 1) * stride - 2 * pad + dilation * (kernel - 1) + OutputPadding + 1</c>; Same: <c>n * stride</c>, as
/// Keras' Conv2DTranspose, by cropping the valid output (the extra row and column come off the bottom and right) or,
/// when the kernel spans less than the stride, by output padding.
/// </summary>
internal sealed record ConvTranspose2DLayer(string Display, int Index, long Filters, Conv2DGeometry Geometry, long OutputPadding, bool UseBias, int ActivationValue)
    : LayerSpec(Display, Index)
{
    public override string Kind => "ConvTranspose2D";

    public override string NamePrefix => "convTranspose";

    public override bool OutputIsFresh => true;

    public override InputRanks Ranks => InputRanks.Spatial2D;

    public override string? ModuleType(Shape input) => "global::TorchSharp.Modules.ConvTranspose2d";

    public override ActivationKind Activation => (ActivationKind)ActivationValue;

    public override string Gloss => ConvolutionAdvice.Gloss(Filters, Geometry.KernelText);

    public static LayerSpec Parse(AttributeArgs a) => new ConvTranspose2DLayer(
        a.Display, a.Index, a.Long("filters"), Conv2DGeometry.Parse(a), a.Long("OutputPadding"), a.Bool("UseBias", true), a.Enum("Activation"));

    public override IEnumerable<DiagnosticInfo> ValidateArguments()
    {
        var errors = Positive("filters", Filters).Concat(Geometry.Validate(this)).Concat(Defined("Activation", ActivationValue, Activations.MaxValue)).ToList();
        var limit = System.Math.Max(System.Math.Min(Geometry.StrideHeight, Geometry.StrideWidth), Geometry.Dilation);
        if (errors.Count == 0 && (OutputPadding < 0 || OutputPadding >= limit))
        {
            errors.Add(Invalid("OutputPadding", $"at least 0 and below the stride or the dilation ({Format.Number(limit)})", OutputPadding));
        }

        if (errors.Count == 0 && Geometry.Same && OutputPadding != 0)
        {
            errors.Add(Invalid("OutputPadding", "0 with Padding = Same (Same computes the output size)", OutputPadding));
        }

        return errors;
    }

    public override LayerOutcome Infer(LayerInput input)
    {
        var (height, _, _) = Side(input.Shape[1], Geometry.Vertical);
        var (width, _, _) = Side(input.Shape[2], Geometry.Horizontal);
        if (height <= 0 || width <= 0)
        {
            return LayerOutcome.Fail(DiagnosticInfo.At(
                DiagnosticIds.WindowLargerThanInput,
                At("Pad"),
                Display,
                Geometry.KernelText,
                $"{Format.Number(input.Shape[1])} × {Format.Number(input.Shape[2])}",
                $"{Format.Number(height)} × {Format.Number(width)}",
                "use less padding"));
        }

        var weights = checked(input.Shape[0] * Filters * Geometry.KernelHeight * Geometry.KernelWidth);
        return LayerOutcome.Ok(Shape.Of(Filters, height, width), checked(weights + (UseBias ? Filters : 0)));
    }

    public override string EmitConstruction(Shape input, Shape output)
    {
        var (_, padHeight, outputPadHeight) = Side(input[1], Geometry.Vertical);
        var (_, padWidth, outputPadWidth) = Side(input[2], Geometry.Horizontal);
        var bias = UseBias ? string.Empty : ", bias: false";
        return $"global::TorchSharp.torch.nn.ConvTranspose2d({Format.LongLiteral(input[0])}, {Format.LongLiteral(Filters)}, ({Format.LongLiteral(Geometry.KernelHeight)}, {Format.LongLiteral(Geometry.KernelWidth)}), " +
            $"stride: ({Format.LongLiteral(Geometry.StrideHeight)}, {Format.LongLiteral(Geometry.StrideWidth)}), padding: ({Format.LongLiteral(padHeight)}, {Format.LongLiteral(padWidth)}), " +
            $"output_padding: ({Format.LongLiteral(outputPadHeight)}, {Format.LongLiteral(outputPadWidth)}), dilation: ({Format.LongLiteral(Geometry.Dilation)}, {Format.LongLiteral(Geometry.Dilation)}){bias})";
    }

    public override void EmitForward(List<string> statements, string name, Shape input, Shape output)
    {
        var (_, padHeight, outputPadHeight) = Side(input[1], Geometry.Vertical);
        var (_, padWidth, outputPadWidth) = Side(input[2], Geometry.Horizontal);
        var module = Module(input[1], Geometry.Vertical, padHeight, outputPadHeight);
        var moduleWidth = Module(input[2], Geometry.Horizontal, padWidth, outputPadWidth);
        if (outputPadHeight == outputPadWidth)
        {
            Call(statements, name);
        }
        else
        {
            // TorchSharp's module applies its first output padding to both dimensions unless it is given the output
            // size, from which it derives each dimension's own.
            statements.Add($"x = {name}.forward(x, new long[] {{ {Format.LongLiteral(module)}, {Format.LongLiteral(moduleWidth)} }});");
        }

        if (module != output[1] || moduleWidth != output[2])
        {
            // Same with an odd crop: the module pads one row (column) less on the bottom (right) than on top; cut it off.
            statements.Add($"x = x.narrow(2, 0L, {Format.LongLiteral(output[1])}).narrow(3, 0L, {Format.LongLiteral(output[2])});");
        }
    }

    public override void EmitOnnx(List<string> statements, LayerTrace trace)
    {
        var (_, _, outputPadHeight) = Side(trace.Input[1], Geometry.Vertical);
        var (_, _, outputPadWidth) = Side(trace.Input[2], Geometry.Horizontal);
        if (outputPadHeight == outputPadWidth)
        {
            OnnxCode.Module(statements, trace.Name);
        }
        else
        {
            // The forward pass gives the module its output size, and so each axis its own output padding (see EmitForward).
            statements.Add($"x = onnx.ConvTranspose2d(x, {trace.Name}, {OnnxCode.Name(trace.Name)}, new long[] {{ {Format.LongLiteral(outputPadHeight)}, {Format.LongLiteral(outputPadWidth)} }});");
        }

        if (Crop(trace.Input, trace.Output) is var (bottom, right) && (bottom != 0 || right != 0))
        {
            statements.Add($"x = onnx.Crop2d(x, 0L, {Format.LongLiteral(right)}, 0L, {Format.LongLiteral(bottom)}, {OnnxCode.Name(trace.Name, "crop")});");
        }
    }

    public override string PythonConstruction(LayerTrace trace)
    {
        var (_, padHeight, outputPadHeight) = Side(trace.Input[1], Geometry.Vertical);
        var (_, padWidth, outputPadWidth) = Side(trace.Input[2], Geometry.Horizontal);
        var bias = UseBias ? string.Empty : ", bias=False";
        return $"nn.ConvTranspose2d({Py.Int(trace.Input[0])}, {Py.Int(Filters)}, {Py.Pair(Geometry.KernelHeight, Geometry.KernelWidth)}, " +
            $"stride={Py.Pair(Geometry.StrideHeight, Geometry.StrideWidth)}, padding={Py.Pair(padHeight, padWidth)}, " +
            $"output_padding={Py.Pair(outputPadHeight, outputPadWidth)}, dilation={Py.Pair(Geometry.Dilation, Geometry.Dilation)}{bias})";
    }

    public override void EmitPython(List<string> statements, LayerTrace trace)
    {
        Py.Call(statements, trace.Name);
        if (Crop(trace.Input, trace.Output) is var (bottom, right) && (bottom != 0 || right != 0))
        {
            statements.Add($"x = x[:, :, :{Py.Int(trace.Output[1])}, :{Py.Int(trace.Output[2])}]");
        }
    }

    /// <summary>The rows and columns cut off the bottom and right of the module's output (Same with an odd crop).</summary>
    private (long Bottom, long Right) Crop(Shape input, Shape output)
    {
        var (_, padHeight, outputPadHeight) = Side(input[1], Geometry.Vertical);
        var (_, padWidth, outputPadWidth) = Side(input[2], Geometry.Horizontal);
        var height = Module(input[1], Geometry.Vertical, padHeight, outputPadHeight);
        var width = Module(input[2], Geometry.Horizontal, padWidth, outputPadWidth);
        return (height - output[1], width - output[2]);
    }

    /// <summary>The output side, and the module's padding and output padding that give it (before any crop).</summary>
    private (long Out, long Pad, long OutputPad) Side(long size, Axis axis)
    {
        if (!axis.Same)
        {
            return (checked(((size - 1) * axis.Stride) - (2 * axis.Pad) + axis.Extent + OutputPadding), axis.Pad, OutputPadding);
        }

        // Valid output (size - 1) * stride + extent, target size * stride: crop the difference, half on each side (the
        // odd one at the end, as Keras), or grow by output padding when the kernel spans less than the stride.
        var target = checked(size * axis.Stride);
        var crop = checked(axis.Extent - axis.Stride);
        return crop >= 0 ? (target, crop / 2, 0) : (target, 0, -crop);
    }

    private static long Module(long size, Axis axis, long pad, long outputPad) => ((size - 1) * axis.Stride) - (2 * pad) + axis.Extent + outputPad;
}
