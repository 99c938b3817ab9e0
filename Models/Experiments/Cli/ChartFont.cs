using System;
using System.IO;
using ScottPlot;
using SkiaSharp;

namespace LayerDsl.Experiments.Cli;

/// <summary>
/// The chart's font, DejaVu Sans 2.37, carried inside this assembly so that the chart has text on machines without
/// system fonts. The chart asks for the regular weight only; any request for the family gets it. Licence:
/// Fonts/LICENSE-DejaVu.txt (the Bitstream Vera and Arev font licences; DejaVu's changes are in the public domain).
/// </summary>
internal static class ChartFont
{
    /// <summary>The family name the chart asks ScottPlot for.</summary>
    public const string Family = "DejaVu Sans";

    private static readonly Lazy<SKTypeface> Regular = new(() => Load("DejaVuSans.ttf"));

    private static readonly Lazy<string> Registered = new(Register);

    /// <summary>Makes ScottPlot draw <see cref="Family"/> from the embedded file (once per process) and returns the family name.</summary>
    public static string Use() => Registered.Value;

    /// <summary>The embedded typeface.</summary>
    public static SKTypeface Typeface => Regular.Value;

    private static string Register()
    {
        // First in the list: the system resolver must not answer with an installed font, nor with none.
        Fonts.FontResolvers.Insert(0, new EmbeddedResolver());
        Fonts.Default = Family;
        Fonts.Sans = Family;
        return Family;
    }

    private static SKTypeface Load(string file)
    {
        string resource = "LayerDsl.Experiments.Fonts." + file;
        using Stream stream = typeof(ChartFont).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"the chart font {resource} is not embedded in {typeof(ChartFont).Assembly.GetName().Name}");
        using var data = SKData.Create(stream);
        return SKTypeface.FromData(data) ?? throw new InvalidOperationException($"the chart font {resource} is not a font SkiaSharp can read");
    }

    private sealed class EmbeddedResolver : IFontResolver
    {
        public SKTypeface? CreateTypeface(string fontName, FontWeight weight, FontSlant slant, FontSpacing spacing) =>
            string.Equals(fontName, Family, StringComparison.OrdinalIgnoreCase) ? Typeface : null;

        public SKTypeface? CreateTypeface(string fontName, bool bold, bool italic) =>
            CreateTypeface(fontName, bold ? FontWeight.Bold : FontWeight.Normal, italic ? FontSlant.Italic : FontSlant.Upright, FontSpacing.Normal);
    }
}
