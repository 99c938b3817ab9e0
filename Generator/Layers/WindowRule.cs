using LayerDsl.Generator.Models;

namespace LayerDsl.Generator.Layers;

/// <summary>The shape rule shared by every sliding-window layer over <c>[C, H, W]</c>: the window must fit its (padded) input.</summary>
internal static class WindowRule
{
    /// <summary>The window over the input's height and width.</summary>
    public static Window Of(Shape input, long kernel, long stride, bool same) => Window.Compute(input[1], input[2], kernel, stride, same);

    /// <summary>Computes the window; returns the diagnostic when the output would be empty.</summary>
    public static DiagnosticInfo? Apply(LayerSpec layer, Shape input, long kernel, long stride, bool same, string kernelArgument, bool isPool, out Window window)
    {
        window = Of(input, kernel, stride, same);
        if (window.Fits)
        {
            return null;
        }

        var remedy = isPool
            ? "use a smaller window or a larger input"
            : "use a smaller kernel, Padding = Padding.Same, or a larger input";
        return DiagnosticInfo.At(
            DiagnosticIds.WindowLargerThanInput,
            layer.At(kernelArgument),
            layer.Display,
            kernel,
            input[1],
            input[2],
            window.OutHeight,
            window.OutWidth,
            remedy);
    }
}
