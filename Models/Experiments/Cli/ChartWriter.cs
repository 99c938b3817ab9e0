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
