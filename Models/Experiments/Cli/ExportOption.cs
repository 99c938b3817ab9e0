using System.CommandLine;
using LayerDsl.Experiments.Export;

namespace LayerDsl.Experiments.Cli;

/// <summary><c>compare --export DIR</c>: where the trained models go as ONNX, PyTorch twin and weights, with the distributed training script.</summary>
internal static class ExportOption
{
    public static Option<string?> Create() => new("--export")
    {
        HelpName = "DIR",
        Description = $"After training, write each model (the first seed's weights) to DIR/<model>/: {ModelExporter.OnnxFile}, {ModelExporter.PythonFile} (its PyTorch twin) and {ModelExporter.WeightsFile} (its state dict for PyTorch), and DIR/{TrainingScript.FileName} (distributed training of a twin with torchrun) with DIR/{ModelExporter.ReadmeFile}. A model that cannot be exported is named, the others are still written, and the exit code is 3.",
    };

    /// <summary>The export folder, checked before any training; null without <c>--export</c>.</summary>
    public static string? Check(string? directory) => string.IsNullOrWhiteSpace(directory) ? null : ModelExporter.CheckDirectory(directory);
}
