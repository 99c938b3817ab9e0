using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using LayerDsl.Experiments.Cli;

namespace LayerDsl.Experiments.Export;

/// <summary>The export folder's README.md: what is in it, and the commands that train the PyTorch twins on several processes.</summary>
internal static class ExportReadme
{
    public static string Build(ExperimentOutcome outcome, IReadOnlyList<string> exported)
    {
        var settings = outcome.Results.Settings;
        var text = new StringBuilder();
        text.AppendLine("# LayerDsl export");
        text.AppendLine();
        text.AppendLine(Invariant($"Written by `compare --export` from the run in `{outcome.OutputDirectory}`: the weights of seed {settings.Seed}{(settings.Seeds > 1 ? Invariant($" (the first of its {settings.Seeds} seeds)") : "")} after {settings.Epochs} epoch(s), {settings.Optimizer} lr {settings.LearningRate:G}, batch {settings.BatchSize}, on {settings.TrainImages} training images."));
        text.AppendLine();
        text.AppendLine("| model | test accuracy in C# | files |");
        text.AppendLine("|---|---|---|");
        foreach (var result in outcome.Results.Models.Where(m => exported.Contains(m.Name)))
        {
            var first = result.Runs.FirstOrDefault(r => r.Seed == settings.Seed);
            string accuracy = first is null ? "" : Invariant($"{first.TestAccuracy:F4} ({settings.TestImages} images)");
            text.AppendLine($"| {result.Name} | {accuracy} | `{result.Name}/{ModelExporter.OnnxFile}` (ONNX, input `input` [batch, 1, 28, 28], output `output`), `{result.Name}/{ModelExporter.PythonFile}` (the PyTorch twin), `{result.Name}/{ModelExporter.WeightsFile}` (`model.load_state_dict(torch.load(path))`) |");
        }

        text.AppendLine();
        text.AppendLine("## Distributed training of a twin");
        text.AppendLine();
        text.AppendLine("`train_ddp.py` (PyTorch 1.13 or newer, no torchvision) trains a twin on Fashion-MNIST with DistributedDataParallel: gloo on CPUs, nccl on GPUs (one per process). It reads the same files as `compare` (`--data`, `$FASHION_MNIST_DIR`, `/usr/share/datasets/fashion-mnist`, the per-user cache), the same way; `--batch-size` is the global batch, split between the processes. Rank 0 scores the test set and writes `<model>/ddp/weights.pt` and `<model>/ddp/result.json`. Run from this folder:");
        text.AppendLine();
        text.AppendLine("```sh");
        string model = exported.Count > 0 ? exported[0] : "<Model>";
        string arguments = Arguments(outcome, model);
        text.AppendLine("# two CPU processes on this machine");
        text.AppendLine($"torchrun --nproc_per_node=2 {TrainingScript.FileName} {arguments}");
        text.AppendLine("# one node with N GPUs");
        text.AppendLine($"torchrun --nproc_per_node=N {TrainingScript.FileName} {arguments}");
        text.AppendLine("# two nodes with N GPUs each: the same command on both, HOST being the first node");
        text.AppendLine($"torchrun --nnodes=2 --nproc_per_node=N --rdzv_backend=c10d --rdzv_endpoint=HOST:29500 --rdzv_id=job1 {TrainingScript.FileName} {arguments}");
        text.AppendLine("```");
        text.AppendLine();
        text.AppendLine("Debian 12's own `torchrun` (PyTorch 1.13 on Python 3.11) fails before starting a worker (`AttributeError: 'NoneType' object has no attribute 'get'`); give it `--redirects 2 --tee 2`, or start one process per rank with the variables torchrun sets:");
        text.AppendLine();
        text.AppendLine("```sh");
        text.AppendLine($"for rank in 0 1; do MASTER_ADDR=127.0.0.1 MASTER_PORT=29500 WORLD_SIZE=2 RANK=$rank LOCAL_RANK=$rank python3 {TrainingScript.FileName} {arguments} & done; wait");
        text.AppendLine("```");
        text.AppendLine();
        text.AppendLine(Invariant($"Add `--init {model}/{ModelExporter.WeightsFile}` to continue from the C# weights. `python3 {TrainingScript.FileName} --help` lists every option. Back in C#: `model.LoadFromPyTorch(\"{model}/ddp/weights.pt\")`."));
        foreach (string other in exported.Skip(1))
        {
            text.AppendLine();
            text.AppendLine($"{other}: `--model {other}/{ModelExporter.PythonFile} --class {other.Split('.')[^1]}`.");
        }
        if (settings.TrainTransform != "none" || settings.Augmentation != "none")
        {
            text.AppendLine();
            text.AppendLine($"The script trains on the plain images; this run's training transforms ({settings.TrainTransform}) and augmentation ({settings.Augmentation}) are not reproduced.");
        }

        return text.ToString();
    }

    /// <summary>The script's options for <paramref name="model"/> that repeat the run's training settings.</summary>
    internal static string Arguments(ExperimentOutcome outcome, string model)
    {
        var settings = outcome.Results.Settings;
        // A model's name is its class name, or its full name when two models share the class name; Python's is the class name.
        var arguments = new List<string>
        {
            $"--model {model}/{ModelExporter.PythonFile}",
            $"--class {model.Split('.')[^1]}",
            Invariant($"--epochs {settings.Epochs}"),
            Invariant($"--batch-size {settings.BatchSize}"),
            $"--optimizer {settings.Optimizer}",
            Invariant($"--lr {settings.LearningRate:G}"),
            Invariant($"--seed {settings.Seed}"),
        };
        if (settings.DataSource == "--data")
        {
            arguments.Add($"--data {Quote(settings.DataDirectory)}");
        }

        if (settings.TrainLimit is int trainLimit)
        {
            arguments.Add(Invariant($"--train-limit {trainLimit}"));
        }

        if (settings.TestLimit is int testLimit)
        {
            arguments.Add(Invariant($"--test-limit {testLimit}"));
        }

        return string.Join(" ", arguments);
    }

    /// <summary>A path as one shell word.</summary>
    private static string Quote(string path) =>
        path.All(c => char.IsAsciiLetterOrDigit(c) || "/._-+,:@".Contains(c)) ? path : "'" + path.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
