using LayerDsl.Experiments.Cli;
using ScottPlot;

namespace LayerDsl.Runtime.Tests;

public sealed class ChartTests
{
    [Fact]
    public void The_chart_font_comes_from_the_assembly_not_from_the_system()
    {
        string family = ChartFont.Use();

        // The same typeface object as the embedded one: the system's font manager was not asked.
        Assert.Same(ChartFont.Typeface, Fonts.GetTypeface(family, bold: false, italic: false));
        Assert.Same(ChartFont.Typeface, Fonts.GetTypeface(family, bold: true, italic: false));
        Assert.Equal(family, Fonts.Default);
        Assert.Equal("DejaVu Sans", ChartFont.Typeface.FamilyName);

        // It has the glyphs the chart writes (letters, digits, parentheses, the hyphen of "cross-entropy").
        using var font = new SkiaSharp.SKFont(ChartFont.Typeface);
        ushort[] glyphs = font.GetGlyphs("Fashion-MNIST: test accuracy (0.8753 after epoch 1)");
        Assert.DoesNotContain((ushort)0, glyphs);
    }
}
