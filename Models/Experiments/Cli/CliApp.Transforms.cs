using System;
using System.CommandLine;
using System.Globalization;
using LayerDsl.Experiments.Data;

namespace LayerDsl.Experiments.Cli;

/// <summary>The transform ranges' options, shared by <c>compare</c> and <c>evaluate</c> so both draw the same images from the same words.</summary>
internal sealed partial class CliApp
{
    /// <summary>
    /// The options that set the transforms' ranges (<c>--scale-range</c>, <c>--rotate-degrees</c>, <c>--translate-pixels</c>,
    /// <c>--elastic-alpha</c>, <c>--elastic-sigma</c>); which transforms apply is the business of each command's own
    /// transform option.
    /// </summary>
    private sealed class TransformRanges
    {
        public Option<(double Min, double Max)?> ScaleRange { get; } = ScaleRangeOption();

        public Option<double> RotateDegrees { get; } = Number("--rotate-degrees", "D", 45, 0, false, 180, "45", "The rotate transform turns each image about its centre by an angle drawn uniformly from -D to D degrees (positive: counter-clockwise).");

        public Option<double> TranslatePixels { get; } = Number("--translate-pixels", "P", 6, 0, false, double.PositiveInfinity, "6", "The translate transform shifts each image by a distance drawn uniformly from -P to P pixels, along each axis independently (zeros fill in).");

        public Option<double> ElasticAlpha { get; } = Number("--elastic-alpha", "PIXELS", 34, 0, false, double.PositiveInfinity, "34", "The elastic transform's strength (Simard et al.): no pixel moves further than this.");

        public Option<double> ElasticSigma { get; } = Number("--elastic-sigma", "PIXELS", 4, 0, true, double.PositiveInfinity, "4", "The elastic transform's smoothness: the standard deviation of the Gaussian that smooths its random displacement field.");

        /// <summary>The ranges given (no transform chosen yet: set <see cref="ImageTransform.Kinds"/> with <c>with</c>).</summary>
        public ImageTransform Read(ParseResult result)
        {
            var (scaleMin, scaleMax) = result.GetValue(ScaleRange) ?? (ImageTransform.None.ScaleMin, ImageTransform.None.ScaleMax);
            return new ImageTransform
            {
                ScaleMin = scaleMin,
                ScaleMax = scaleMax,
                RotateDegrees = result.GetValue(RotateDegrees),
                TranslatePixels = result.GetValue(TranslatePixels),
                ElasticAlpha = result.GetValue(ElasticAlpha),
                ElasticSigma = result.GetValue(ElasticSigma),
            };
        }
    }

    private static Option<(double Min, double Max)?> ScaleRangeOption() => new("--scale-range")
    {
        Description = "The scale transform's factor, drawn uniformly per image from MIN to MAX, about the image centre (below 1 shrinks). Default 0.5,1.0.",
        HelpName = "MIN,MAX",
        CustomParser = result =>
        {
            string text = result.Tokens.Count == 0 ? "" : result.Tokens[^1].Value;
            string[] parts = text.Split(',', StringSplitOptions.TrimEntries);
            if (parts.Length != 2
                || !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double min)
                || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double max)
                || !double.IsFinite(min) || !double.IsFinite(max))
            {
                result.AddError($"--scale-range {text}: give two numbers MIN,MAX such as 0.5,1.0");
                return null;
            }

            if (min <= 0 || max < min)
            {
                result.AddError($"--scale-range {text}: needs 0 < MIN <= MAX, such as 0.5,1.0");
                return null;
            }

            return (min, max);
        },
    };
}
