using System;
using System.Collections.Generic;
using LayerDsl.Generator.Helpers;
using LayerDsl.Generator.Models;

namespace LayerDsl.Generator.Layers;

/// <summary>
/// Conv2D takes (filters, kernelSize), as Keras does; MaskedConv takes (kernelSize, filters), as the origin's layer did.
/// Mixing them up still builds a valid model (<c>Conv2D(3, 32)</c> on 64 × 64 is three 32 × 32 filters), so summaries
/// spell the arguments out and a suspicious pair gets an informational diagnostic.
/// </summary>
internal static class ConvolutionAdvice
{
    /// <summary>The largest filter count that still looks like a kernel size.</summary>
    private const long KernelLike = 7;

    /// <summary>The smallest kernel size that looks like a filter count.</summary>
    private const long FilterLike = 8;

    public static string Gloss(long filters, long kernel) => Gloss(filters, $"{Format.Number(kernel)} × {Format.Number(kernel)}");

    public static string Gloss(long filters, string kernel) => $"{Format.Number(filters)} {(filters == 1 ? "filter" : "filters")}, {kernel} kernel";

    /// <summary>
    /// Reports when the kernel looks like a filter count (8 or more) and covers at least half of the smaller input side,
    /// and the filter count looks like a kernel size (7 or less): the two were probably swapped.
    /// </summary>
    public static IEnumerable<DiagnosticInfo> SwappedArguments(LayerSpec layer, Shape input, long filters, Conv2DGeometry geometry, string swapped, string signature)
    {
        var kernel = geometry.KernelHeight;
        var side = Math.Min(input[1], input[2]);
        if (geometry.KernelHeight == geometry.KernelWidth && filters <= KernelLike && kernel >= FilterLike && kernel * 2 >= side)
        {
            yield return DiagnosticInfo.At(
                DiagnosticIds.ConvolutionArgumentsLookSwapped,
                layer.At(),
                layer.Display,
                Gloss(filters, kernel),
                $"{Format.Number(input[1])} × {Format.Number(input[2])}",
                signature,
                Gloss(kernel, filters),
                swapped);
        }
    }
}
