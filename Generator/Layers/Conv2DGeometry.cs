using System.Collections.Generic;
using LayerDsl.Generator.Helpers;
using LayerDsl.Generator.Models;

namespace LayerDsl.Generator.Layers;

/// <summary>
/// The window of a 2-D convolution: kernel height and width, strides, Valid (with optional explicit padding) or Same
/// padding, and dilation, as the attributes deriving from <c>Convolution2DAttribute</c> declare them.
/// </summary>
internal sealed record Conv2DGeometry(long KernelHeight, long KernelWidth, long StrideHeight, long StrideWidth, int Padding, long PadHeight, long PadWidth, long Dilation)
{
    public bool Same => Padding == 1;

    public Axis Vertical => new(KernelHeight, StrideHeight, Dilation, Same, PadHeight);

    public Axis Horizontal => new(KernelWidth, StrideWidth, Dilation, Same, PadWidth);

    public bool IsSquare => KernelHeight == KernelWidth && StrideHeight == StrideWidth && PadHeight == PadWidth;

    /// <summary>The argument that names the kernel: <c>kernelSize</c>, or <c>kernelHeight</c> for a non-square one.</summary>
    public string KernelArgument { get; init; } = "kernelSize";

    /// <summary><c>3 × 3</c>, or <c>3 × 1</c>.</summary>
    public string KernelText => $"{Format.Number(KernelHeight)} × {Format.Number(KernelWidth)}";

    /// <summary>Reads the options of a <c>Convolution2DAttribute</c>.</summary>
    public static Conv2DGeometry Parse(AttributeArgs a)
    {
        var stride = a.Long("Stride", 1);
        var pad = a.Long("Pad");
        var square = a.Has("kernelSize");
        return new Conv2DGeometry(
            square ? a.Long("kernelSize") : a.Long("kernelHeight"),
            square ? a.Long("kernelSize") : a.Long("kernelWidth"),
            Or(a.Long("StrideHeight"), stride),
            Or(a.Long("StrideWidth"), stride),
            a.Enum("Padding"),
            Or(a.Long("PadHeight"), pad),
            Or(a.Long("PadWidth"), pad),
            a.Long("Dilation", 1))
        {
            KernelArgument = square ? "kernelSize" : "kernelHeight",
        };
    }

    /// <summary>A square window: the masked convolution's and the origin's.</summary>
    public static Conv2DGeometry Square(long kernel, long stride, int padding) => new(kernel, kernel, stride, stride, padding, 0, 0, 1);

    public IEnumerable<DiagnosticInfo> Validate(LayerSpec layer)
    {
        var reported = new HashSet<string>();
        var checks = new List<(string Name, long Value)> { (KernelArgument, KernelHeight) };
        if (KernelArgument != "kernelSize")
        {
            checks.Add(("kernelWidth", KernelWidth));
        }

        checks.AddRange(new[] { ("Stride", StrideHeight), ("Stride", StrideWidth), ("Dilation", Dilation) });
        foreach (var (name, value) in checks)
        {
            if (value <= 0 && reported.Add(name))
            {
                yield return layer.Invalid(name, "greater than 0", value);
            }
        }

        if (PadHeight < 0 || PadWidth < 0)
        {
            yield return layer.Invalid("Pad", "0 or greater", System.Math.Min(PadHeight, PadWidth));
        }

        if (Padding is < 0 or > 1)
        {
            yield return layer.Invalid("Padding", "one of the enum's named values", Padding);
        }
        else if (Same && (PadHeight != 0 || PadWidth != 0))
        {
            yield return layer.Invalid("Pad", "0 with Padding = Same (Same computes the padding)", System.Math.Max(PadHeight, PadWidth));
        }
    }

    public Window Of(Shape input) => Window.Compute(input[1], input[2], Vertical, Horizontal);

    /// <summary>Computes the window; returns LDSL0011 when the output would be empty.</summary>
    public DiagnosticInfo? Fit(LayerSpec layer, Shape input, bool isPool, out Window window)
    {
        window = Of(input);
        if (window.Fits)
        {
            return null;
        }

        var kernel = Dilation == 1 ? KernelText : $"{KernelText} (dilated by {Format.Number(Dilation)}, spanning {Format.Number(Vertical.Extent)} × {Format.Number(Horizontal.Extent)})";
        var padded = PadHeight > 0 || PadWidth > 0 ? $" (padded to {Format.Number(input[1] + (2 * PadHeight))} × {Format.Number(input[2] + (2 * PadWidth))})" : string.Empty;
        var remedy = isPool
            ? "use a smaller window or a larger input"
            : "use a smaller kernel, Padding = Padding.Same, or a larger input";
        return DiagnosticInfo.At(
            DiagnosticIds.WindowLargerThanInput,
            layer.At(KernelArgument),
            layer.Display,
            kernel,
            Format.Number(input[1]) + " × " + Format.Number(input[2]) + padded,
            $"{Format.Number(window.OutHeight)} × {Format.Number(window.OutWidth)}",
            remedy);
    }

    /// <summary>
    /// The kernel, stride, padding and dilation arguments of TorchSharp's <c>Conv2d</c> (and <c>ConvTranspose2d</c>), after
    /// the channel counts: scalars when both dimensions agree, tuples otherwise.
    /// </summary>
    public string ModuleArguments(long padHeight, long padWidth)
    {
        if (KernelHeight == KernelWidth && StrideHeight == StrideWidth && padHeight == padWidth)
        {
            var text = Format.LongLiteral(KernelHeight);
            text += StrideHeight != 1 ? $", stride: {Format.LongLiteral(StrideHeight)}" : string.Empty;
            text += padHeight != 0 ? $", padding: {Format.LongLiteral(padHeight)}" : string.Empty;
            text += Dilation != 1 ? $", dilation: {Format.LongLiteral(Dilation)}" : string.Empty;
            return text;
        }

        return $"({Format.LongLiteral(KernelHeight)}, {Format.LongLiteral(KernelWidth)}), stride: ({Format.LongLiteral(StrideHeight)}, {Format.LongLiteral(StrideWidth)}), " +
            $"padding: ({Format.LongLiteral(padHeight)}, {Format.LongLiteral(padWidth)}), dilation: ({Format.LongLiteral(Dilation)}, {Format.LongLiteral(Dilation)})";
    }

    /// <summary>The same arguments for PyTorch's <c>nn.Conv2d</c> in the model's twin.</summary>
    public string PythonArguments(long padHeight, long padWidth)
    {
        if (KernelHeight == KernelWidth && StrideHeight == StrideWidth && padHeight == padWidth)
        {
            var text = Py.Int(KernelHeight);
            text += StrideHeight != 1 ? $", stride={Py.Int(StrideHeight)}" : string.Empty;
            text += padHeight != 0 ? $", padding={Py.Int(padHeight)}" : string.Empty;
            text += Dilation != 1 ? $", dilation={Py.Int(Dilation)}" : string.Empty;
            return text;
        }

        return $"{Py.Pair(KernelHeight, KernelWidth)}, stride={Py.Pair(StrideHeight, StrideWidth)}, padding={Py.Pair(padHeight, padWidth)}, dilation={Py.Pair(Dilation, Dilation)}";
    }

    private static long Or(long value, long fallback) => value != 0 ? value : fallback;
}
