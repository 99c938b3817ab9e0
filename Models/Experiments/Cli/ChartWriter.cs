using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using ScottPlot;
using SkiaSharp;

namespace LayerDsl.Experiments.Cli;

/// <summary>Draws one PNG with two panels: test accuracy per epoch (left) and test loss per epoch (right), one line per model.</summary>
internal static class ChartWriter
{
    public static void Save(string path, IReadOnlyList<ModelResult> models, int width = 1200, int height = 500)
    {
        var accuracy = Panel(models, h => h.TestAccuracy, "Test accuracy", "accuracy (fraction)", "F4");
        var loss = Panel(models, h => h.TestLoss, "Test loss", "cross-entropy", "F4");
        AtomicFile.Write(path, temporary =>
        {
            // Each panel renders on its own (a plot paints its whole canvas), then both are placed side by side.
            using var surface = SKSurface.Create(new SKImageInfo(width, height));
            surface.Canvas.Clear(SKColors.White);
            using (var left = SKBitmap.Decode(accuracy.GetImage(width / 2, height).GetImageBytes()))
            using (var right = SKBitmap.Decode(loss.GetImage(width - (width / 2), height).GetImageBytes()))
            {
                surface.Canvas.DrawBitmap(left, 0, 0);
                surface.Canvas.DrawBitmap(right, width / 2, 0);
            }

            using var image = surface.Snapshot();
            using var data = image.Encode(SKEncodedImageFormat.Png, 100);
            using var file = File.Create(temporary);
            data.SaveTo(file);
        });
    }

    /// <summary>
    /// Test accuracy per epoch, one line per model (the mean over seeds) inside a band from the lowest to the highest seed,
    /// with a bar from lowest to highest at every epoch so that a one-epoch run shows its spread too.
    /// </summary>
    public static void SaveAccuracyBand(string path, IReadOnlyList<ModelResult> models, int width = 900, int height = 600)
    {
        string font = ChartFont.Use();
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var all = new List<double>();
        int maxEpoch = 1;
        for (int i = 0; i < models.Count; i++)
        {
            var model = models[i];
            int epochs = model.Runs.Count == 0 ? 0 : model.Runs.Min(r => r.TestAccuracyPerEpoch.Count);
            if (epochs == 0)
            {
                continue;
            }

            var color = palette.GetColor(i);
            double[] xs = Enumerable.Range(1, epochs).Select(e => (double)e).ToArray();
            double[] low = xs.Select((_, e) => model.Runs.Min(r => r.TestAccuracyPerEpoch[e])).ToArray();
            double[] high = xs.Select((_, e) => model.Runs.Max(r => r.TestAccuracyPerEpoch[e])).ToArray();
            double[] mean = xs.Select((_, e) => model.Runs.Average(r => r.TestAccuracyPerEpoch[e])).ToArray();
            all.AddRange(low);
            all.AddRange(high);
            maxEpoch = Math.Max(maxEpoch, epochs);
            if (epochs > 1)
            {
                var band = plot.Add.FillY(xs, low, high);
                band.FillStyle.Color = color.WithAlpha(0.2);
                band.LineStyle.Width = 0;
            }

            for (int e = 0; e < epochs; e++)
            {
                var spread = plot.Add.Line(xs[e], low[e], xs[e], high[e]);
                spread.Color = color.WithAlpha(0.6);
                spread.LineWidth = 6;
            }

            var line = plot.Add.Scatter(xs, mean);
            line.Color = color;
            line.LineWidth = 2;
            line.MarkerSize = 10;
            string seeds = model.Runs.Count > 1 ? FormattableString.Invariant($", band: lowest to highest of {model.Runs.Count} seeds") : "";
            line.LegendText = FormattableString.Invariant($"{model.Name} (mean {mean[^1]:F4} after epoch {epochs}{seeds})");
        }

        plot.Title("Fashion-MNIST: test accuracy per epoch");
        plot.XLabel("epoch");
        plot.YLabel("accuracy (fraction)");
        plot.Axes.SetLimitsX(0.5, maxEpoch + 0.5);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericFixedInterval(1);
        if (all.Count > 0)
        {
            double pad = Math.Max(0.01, (all.Max() - all.Min()) * 0.15);
            plot.Axes.SetLimitsY(all.Min() - pad, all.Max() + pad);
        }

        plot.ShowLegend(Edge.Bottom);
        plot.Font.Set(font);
        plot.Legend.FontName = font;
        SavePng(path, plot, width, height);
    }

    /// <summary>Each class's test accuracy, one group of bars per class and one bar per model (from the confusion matrices summed over seeds).</summary>
    public static void SavePerClass(string path, IReadOnlyList<ModelResult> models, IReadOnlyList<string> classNames, int width = 1200, int height = 600)
    {
        string font = ChartFont.Use();
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        int classes = models.Count == 0 ? 0 : models.Max(m => m.ConfusionMatrix.Length);
        double groupWidth = 0.8;
        double barWidth = groupWidth / Math.Max(1, models.Count);
        for (int i = 0; i < models.Count; i++)
        {
            double[] accuracy = models[i].PerClassAccuracy();
            var color = palette.GetColor(i);
            var bars = new List<Bar>();
            for (int c = 0; c < accuracy.Length; c++)
            {
                if (double.IsNaN(accuracy[c]))
                {
                    continue;
                }

                bars.Add(new Bar
                {
                    Position = c - (groupWidth / 2) + ((i + 0.5) * barWidth),
                    Value = accuracy[c],
                    Size = barWidth * 0.95,
                    FillColor = color,
                    LineWidth = 0,
                });
            }

            plot.Add.Bars(bars);
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = models[i].Name, FillColor = color });
        }

        plot.Title("Fashion-MNIST: test accuracy per class");
        plot.YLabel("accuracy (fraction)");
        double[] positions = Enumerable.Range(0, classes).Select(c => (double)c).ToArray();
        string[] labels = Enumerable.Range(0, classes).Select(c => c < classNames.Count ? classNames[c] : c.ToString(CultureInfo.InvariantCulture)).ToArray();
        plot.Axes.Bottom.SetTicks(positions, labels);
        plot.Axes.SetLimitsX(-0.6, classes - 0.4);
        plot.Axes.SetLimitsY(0, 1.05);
        plot.ShowLegend(Edge.Bottom);
        plot.Font.Set(font);
        plot.Legend.FontName = font;
        SavePng(path, plot, width, height);
    }

    private static void SavePng(string path, Plot plot, int width, int height) =>
        AtomicFile.Write(path, temporary => File.WriteAllBytes(temporary, plot.GetImage(width, height).GetImageBytes()));

    private static Plot Panel(IReadOnlyList<ModelResult> models, Func<HistoryEntry, double> value, string title, string yLabel, string format)
    {
        string font = ChartFont.Use();
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var all = new List<double>();
        int maxEpoch = 1;
        for (int i = 0; i < models.Count; i++)
        {
            var model = models[i];
            if (model.History.Count == 0)
            {
                continue;
            }

            double[] xs = model.History.Select(h => (double)h.Epoch).ToArray();
            double[] ys = model.History.Select(value).ToArray();
            all.AddRange(ys);
            maxEpoch = Math.Max(maxEpoch, model.History.Max(h => h.Epoch));
            var line = plot.Add.Scatter(xs, ys);
            line.Color = palette.GetColor(i);
            line.LineWidth = 2;
            line.MarkerSize = 10;
            line.LegendText = $"{model.Name} ({ys[^1].ToString(format, CultureInfo.InvariantCulture)} after epoch {xs[^1]:0})";
        }

        plot.Title($"Fashion-MNIST: {title.ToLowerInvariant()} per epoch");
        plot.XLabel("epoch");
        plot.YLabel(yLabel);
        plot.Axes.SetLimitsX(0.5, maxEpoch + 0.5);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericFixedInterval(1);
        if (all.Count > 0)
        {
            // Never zoom so far that a 0.001 difference fills the panel: show at least 0.02 around the values.
            double low = all.Min();
            double high = all.Max();
            double pad = Math.Max(0.01, (high - low) * 0.15);
            plot.Axes.SetLimitsY(low - pad, high + pad);
        }

        plot.ShowLegend(Edge.Bottom);
        plot.Font.Set(font);
        plot.Legend.FontName = font;
        return plot;
    }
}
