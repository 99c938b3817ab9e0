using LayerDsl.Generator.Models;

namespace LayerDsl.Generator.Layers;

/// <summary>The shape rule shared by every sliding-window layer: the window must fit its (padded) input.</summary>
internal static class WindowRule
{
    /// <summary>Computes the window; returns the diagnostic when the output would be empty.</summary>
    public static DiagnosticInfo? Apply(LayerSpec layer, Shape input, long kernel, long stride, bool same, string kernelArgument, out Window window)
    {
        window = Window.Compute(input.Height, input.Width, kernel, stride, same);
        if (window.Fits)
        {
            return null;
        }

        var remedy = layer is PoolLayer
            ? "use a smaller window or a larger input"
            : "use a smaller kernel, Padding = Padding.Same, or a larger input";
        return DiagnosticInfo.Create(
            DiagnosticIds.WindowLargerThanInput,
            layer.ArgumentLocation(kernelArgument),
            layer.Display,
            kernel,
            input.Height,
            input.Width,
            window.OutHeight,
            window.OutWidth,
            remedy);
    }
}
