using System.Collections.Generic;
using System.Linq;
using ScottPlot;

namespace LayerDsl.Models.Cli;

/// <summary>Draws test accuracy (left axis, solid) and test loss (right axis, dashed) per epoch for every model into one PNG.</summary>
internal static class ChartWriter
{
    public static void Save(string path, IReadOnlyList<ModelResult> models, int width = 900, int height = 520)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        int index = 0;
        foreach (var model in models)
        {
            var color = palette.GetColor(index++);
            double[] epochs = model.History.Select(h => (double)h.Epoch).ToArray();

            var accuracy = plot.Add.Scatter(epochs, model.History.Select(h => h.TestAccuracy).ToArray());
            accuracy.Color = color;
            accuracy.LineWidth = 2;
            accuracy.MarkerSize = 9;
            accuracy.LegendText = $"{model.Name} test accuracy";

            var loss = plot.Add.Scatter(epochs, model.History.Select(h => h.TestLoss).ToArray());
            loss.Color = color;
            loss.LineWidth = 2;
            loss.LinePattern = LinePattern.Dashed;
            loss.MarkerShape = MarkerShape.OpenSquare;
            loss.MarkerSize = 9;
            loss.LegendText = $"{model.Name} test loss";
            loss.Axes.YAxis = plot.Axes.Right;
        }

        int maxEpoch = models.Count == 0 ? 1 : models.Max(m => m.History.Count == 0 ? 1 : m.History.Max(h => h.Epoch));
        plot.Title("Fashion-MNIST: test accuracy and loss per epoch");
        plot.XLabel("epoch");
        plot.YLabel("test accuracy");
        plot.Axes.Right.Label.Text = "test loss (cross-entropy)";
        plot.Axes.SetLimitsX(0.5, maxEpoch + 0.5);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericFixedInterval(1);
        plot.ShowLegend(Edge.Bottom);
        AtomicFile.Write(path, temporary => plot.SavePng(temporary, width, height));
    }
}
