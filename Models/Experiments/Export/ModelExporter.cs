using System;
using System.Collections.Generic;
using System.IO;
using LayerDsl.Experiments.Cli;
using LayerDsl.Training;
using Spectre.Console;
using static TorchSharp.torch;

namespace LayerDsl.Experiments.Export;

/// <summary>A model <c>compare --export</c> could not export, and why.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="Reason">What stopped it, in the words of the error.</param>
internal sealed record ExportFailure(string Model, string Reason);

/// <summary>What <c>compare --export</c> wrote.</summary>
/// <param name="Directory">The export folder.</param>
/// <param name="Exported">The models exported, each in a folder of its name.</param>
/// <param name="Failures">The models not exported (their folders are left as they were); a failure to write <c>train_ddp.py</c> or <c>README.md</c> is one too.</param>
internal sealed record ExportOutcome(string Directory, IReadOnlyList<string> Exported, IReadOnlyList<ExportFailure> Failures)
{
    /// <summary>Whether everything was written.</summary>
    public bool Complete => Failures.Count == 0;
}

/// <summary>
/// <c>compare --export DIR</c>: each compared model's trained weights (the first seed's) as <c>DIR/&lt;Model&gt;/model.onnx</c>,
/// <c>model.py</c> (its PyTorch twin) and <c>weights.pt</c> (its state dict for PyTorch), plus <c>DIR/train_ddp.py</c> and
/// <c>DIR/README.md</c>. A model's folder is written whole or not at all; a model that cannot be exported is reported by
/// name and the others are still exported.
/// </summary>
internal sealed class ModelExporter
{
    /// <summary>Each model's ONNX graph.</summary>
    public const string OnnxFile = "model.onnx";

    /// <summary>Each model's PyTorch twin, a Python module.</summary>
    public const string PythonFile = "model.py";

    /// <summary>Each model's weights, in torch.save's format.</summary>
    public const string WeightsFile = "weights.pt";

    /// <summary>The export folder's instructions.</summary>
    public const string ReadmeFile = "README.md";

    private readonly IAnsiConsole console;
    private readonly ModelCatalog catalog;

    public ModelExporter(IAnsiConsole console, ModelCatalog catalog)
    {
        this.console = console;
        this.catalog = catalog;
    }

    /// <summary>Refuses, before any training, an export folder that cannot be one: a path naming a file.</summary>
    public static string CheckDirectory(string directory)
    {
        string full = Path.GetFullPath(directory);
        if (File.Exists(full))
        {
            throw new UsageException($"--export {directory}: {full} is a file; give a folder (it is created when missing)");
        }

        return full;
    }

    /// <summary>Exports every model of a finished comparison into <paramref name="directory"/>, the weights of its first seed.</summary>
    public ExportOutcome Export(string directory, ExperimentOutcome outcome)
    {
        string full = CheckDirectory(directory);
        var settings = outcome.Results.Settings;
        var exported = new List<string>();
        var failures = new List<ExportFailure>();
        foreach (var result in outcome.Results.Models)
        {
            string? reason = Try(() => ExportModel(full, result.Name, result.Checkpoint));
            if (reason is null)
            {
                exported.Add(result.Name);
            }
            else
            {
                failures.Add(new ExportFailure(result.Name, reason));
            }
        }

        string? shared = exported.Count == 0 ? null : Try(() =>
        {
            TrainingScript.Write(Path.Combine(full, TrainingScript.FileName));
            AtomicFile.WriteAllText(Path.Combine(full, ReadmeFile), ExportReadme.Build(outcome, exported));
        });
        if (shared is not null)
        {
            failures.Add(new ExportFailure($"{TrainingScript.FileName} and {ReadmeFile}", shared));
        }

        Print(full, settings, exported, failures);
        return new ExportOutcome(full, exported, failures);
    }

    /// <summary>Runs <paramref name="export"/>; null when it succeeded, else why not (the errors an export can meet, not bugs).</summary>
    private static string? Try(Action export)
    {
        try
        {
            export();
            return null;
        }
        catch (Exception e) when (e is NotSupportedException or IOException or UnauthorizedAccessException or InvalidDataException or CheckpointMismatchException)
        {
            return e.Message;
        }
    }

    private void ExportModel(string directory, string name, string? checkpoint)
    {
        if (checkpoint is null)
        {
            throw new IOException("the run left no checkpoint of it to export");
        }

        using var model = catalog.Create(name, CPU);
        if (model is not ILayerModel layered)
        {
            throw new NotSupportedException($"{model.GetType().FullName} is not a LayerDsl model; only models declared with LayerDsl attributes have an ONNX export and a PyTorch twin");
        }

        Checkpoint.Load(checkpoint, model);
        model.eval();

        // Everything goes into a folder beside the target first, which then replaces the model's folder: a reader sees
        // the old folder or the new one, never a mixture, and a model that fails leaves its old folder as it was.
        string target = Path.Combine(directory, name);
        string staging = Path.Combine(directory, $".{name}.{Environment.ProcessId}.tmp");
        string previous = Path.Combine(directory, $".{name}.{Environment.ProcessId}.old");
        try
        {
            Directory.CreateDirectory(staging);
            layered.ExportOnnx(Path.Combine(staging, OnnxFile));
            File.WriteAllText(Path.Combine(staging, PythonFile), layered.PyTorchSource);
            layered.SaveForPyTorch(Path.Combine(staging, WeightsFile));
            bool replacing = Directory.Exists(target);
            if (replacing)
            {
                Directory.Move(target, previous);
            }

            try
            {
                Directory.Move(staging, target);
            }
            catch (IOException) when (replacing)
            {
                // The old export goes back where it was rather than being deleted with the leftovers.
                Directory.Move(previous, target);
                throw;
            }
        }
        finally
        {
            foreach (string leftover in new[] { staging, previous })
            {
                if (Directory.Exists(leftover))
                {
                    Directory.Delete(leftover, recursive: true);
                }
            }
        }
    }

    private void Print(string directory, ExperimentSettings settings, IReadOnlyList<string> exported, IReadOnlyList<ExportFailure> failures)
    {
        string seeds = settings.Seeds > 1
            ? $"the weights of seed {settings.Seed}, the first of seeds {settings.Seed}..{settings.Seed + settings.Seeds - 1}"
            : $"the weights of seed {settings.Seed}";
        console.WriteLine($"Export: {directory} ({seeds})");
        foreach (string name in exported)
        {
            console.WriteLine($"  {name}: {Path.Combine(directory, name)}{Path.DirectorySeparatorChar} ({OnnxFile}, {PythonFile}, {WeightsFile})");
        }

        foreach (var failure in failures)
        {
            CliApp.WriteError(console, $"{failure.Model} not exported: {failure.Reason}");
        }

        if (exported.Count > 0)
        {
            console.WriteLine($"  distributed training of the PyTorch twins: {Path.Combine(directory, TrainingScript.FileName)}, see {Path.Combine(directory, ReadmeFile)}");
        }
    }
}
