using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LayerDsl.Training;

/// <summary>One entry of a model's state (parameter or buffer) as recorded in a checkpoint.</summary>
/// <param name="Name">State-dict key, e.g. <c>conv1.weight</c>.</param>
/// <param name="Shape">Its shape.</param>
public sealed record CheckpointTensor(string Name, long[] Shape);

/// <summary>What a checkpoint says about itself, readable without loading any tensor.</summary>
public sealed record CheckpointMetadata
{
    /// <summary>The model's name (<see cref="TrainingOptions.ModelName"/>, by default its class name).</summary>
    public required string Model { get; init; }

    /// <summary>The epoch the weights are from (1 after the first epoch).</summary>
    public required int Epoch { get; init; }

    /// <summary>The optimizer's name (<see cref="Optimizers.Name"/>).</summary>
    public required string Optimizer { get; init; }

    /// <summary>Learning rate.</summary>
    public required double LearningRate { get; init; }

    /// <summary>Batch size.</summary>
    public required int BatchSize { get; init; }

    /// <summary>Seed.</summary>
    public required int Seed { get; init; }

    /// <summary>How many training examples an epoch went through (null in checkpoints that did not record it).</summary>
    public long? TrainingExamples { get; init; }

    /// <summary>The augmentation the weights were trained with (<see cref="LayerDsl.Training.Augmentation.Describe"/>; null in checkpoints that did not record it: none).</summary>
    public string? Augmentation { get; init; }

    /// <summary>The data description the weights were trained with (<see cref="TrainingOptions.DataDescription"/>), if any.</summary>
    public string? Data { get; init; }

    /// <summary>The learning-rate schedule (<see cref="LearningRateSchedules.Name"/>; null in checkpoints that did not record it: constant).</summary>
    public string? Schedule { get; init; }

    /// <summary>The epochs the run was asked for, which a schedule spans (null in checkpoints that did not record it).</summary>
    public int? Epochs { get; init; }

    /// <summary>The optimizer's weight decay (null in checkpoints that did not record it: 0).</summary>
    public double? WeightDecay { get; init; }

    /// <summary>The optimizer's momentum (null in checkpoints that did not record it: 0).</summary>
    public double? Momentum { get; init; }

    /// <summary>The training loss's label smoothing (null in checkpoints that did not record it: 0).</summary>
    public double? LabelSmoothing { get; init; }

    /// <summary>The model's state entries, in state-dict order.</summary>
    public required IReadOnlyList<CheckpointTensor> Tensors { get; init; }

    /// <summary>Every epoch so far.</summary>
    public required IReadOnlyList<EpochResult> History { get; init; }

    /// <summary>When the checkpoint was written (UTC, ISO 8601).</summary>
    public string Created { get; init; } = DateTime.UtcNow.ToString("o", CultureInfo.InvariantCulture);
}

/// <summary>A checkpoint does not fit the model it is loaded into; the message names the first mismatching parameter and both shapes.</summary>
public sealed class CheckpointMismatchException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CheckpointMismatchException(string message)
        : base(message)
    {
    }
}

/// <summary>A setting a resumed run must share with the checkpoint it resumes.</summary>
public enum ResumeSetting
{
    /// <summary>The model's name.</summary>
    Model = 0,

    /// <summary>The optimizer.</summary>
    Optimizer = 1,

    /// <summary>The learning rate.</summary>
    LearningRate = 2,

    /// <summary>The batch size.</summary>
    BatchSize = 3,

    /// <summary>The seed of the shuffling order.</summary>
    Seed = 4,

    /// <summary>The number of training examples.</summary>
    TrainingExamples = 5,

    /// <summary>The data augmentation.</summary>
    Augmentation = 6,

    /// <summary>What was done to the data before training (<see cref="TrainingOptions.DataDescription"/>).</summary>
    Data = 7,

    /// <summary>The learning-rate schedule.</summary>
    Schedule = 8,

    /// <summary>The number of epochs, which a learning-rate schedule spans.</summary>
    ScheduledEpochs = 9,

    /// <summary>The optimizer's weight decay.</summary>
    WeightDecay = 10,

    /// <summary>The optimizer's momentum.</summary>
    Momentum = 11,

    /// <summary>The training loss's label smoothing.</summary>
    LabelSmoothing = 12,
}

/// <summary>
/// A run asked to resume from a checkpoint trained with another setting; resuming would mix two settings in one
/// history. <see cref="Setting"/>, <see cref="CheckpointValue"/> and <see cref="RequestedValue"/> say which and how.
/// </summary>
public sealed class ResumeMismatchException : Exception
{
    /// <summary>Creates the exception for the checkpoint at <paramref name="path"/>.</summary>
    public ResumeMismatchException(string path, ResumeSetting setting, string checkpointValue, string requestedValue)
        : base($"checkpoint {path} was trained with {Describe(setting)} {checkpointValue}, but this run asks for {requestedValue}; resume with {Describe(setting)} {checkpointValue}, or train afresh in another checkpoint directory")
    {
        Path = path;
        Setting = setting;
        CheckpointValue = checkpointValue;
        RequestedValue = requestedValue;
    }

    /// <summary>The checkpoint.</summary>
    public string Path { get; }

    /// <summary>The setting that differs.</summary>
    public ResumeSetting Setting { get; }

    /// <summary>The checkpoint's value, as text.</summary>
    public string CheckpointValue { get; }

    /// <summary>The value this run asked for, as text.</summary>
    public string RequestedValue { get; }

    /// <summary>The setting in words (<c>learning rate</c>, <c>batch size</c>, ...).</summary>
    public static string Describe(ResumeSetting setting) => setting switch
    {
        ResumeSetting.Model => "model",
        ResumeSetting.Optimizer => "optimizer",
        ResumeSetting.LearningRate => "learning rate",
        ResumeSetting.BatchSize => "batch size",
        ResumeSetting.Seed => "seed",
        ResumeSetting.TrainingExamples => "training examples",
        ResumeSetting.Augmentation => "augmentation",
        ResumeSetting.Data => "data",
        ResumeSetting.Schedule => "learning-rate schedule",
        ResumeSetting.ScheduledEpochs => "a learning-rate schedule over epochs",
        ResumeSetting.WeightDecay => "weight decay",
        ResumeSetting.Momentum => "momentum",
        ResumeSetting.LabelSmoothing => "label smoothing",
        _ => setting.ToString(),
    };
}

/// <summary>
/// Saves and loads a model's weights, its optimizer's state and the training history in one file, written to a
/// temporary file and renamed so a killed run never leaves a half-written checkpoint.
/// </summary>
public static class Checkpoint
{
    private const string Magic = "LDSLCKPT";
    private const int Version = 1;

    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = false,
    };

    /// <summary>The checkpoint file of <paramref name="model"/> after <paramref name="epoch"/> in <paramref name="directory"/>.</summary>
    public static string PathFor(string directory, string model, int epoch) =>
        Path.Combine(directory, $"{model}.epoch{epoch.ToString(CultureInfo.InvariantCulture)}.ckpt");

    /// <summary>The checkpoint of <paramref name="model"/> with the highest epoch in <paramref name="directory"/>, or null.</summary>
    public static string? Latest(string directory, string model)
    {
        if (!Directory.Exists(directory))
        {
            return null;
        }

        string prefix = model + ".epoch";
        return Directory.EnumerateFiles(directory, model + ".epoch*.ckpt")
            .Select(path => (path, name: Path.GetFileNameWithoutExtension(path)))
            .Select(f => (f.path, ok: int.TryParse(f.name.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int epoch), epoch))
            .Where(f => f.ok)
            .OrderByDescending(f => f.epoch)
            .Select(f => f.path)
            .FirstOrDefault();
    }

    /// <summary>The state entries of <paramref name="module"/> with their shapes, in state-dict order.</summary>
    public static IReadOnlyList<CheckpointTensor> Describe(nn.Module module) =>
        module.state_dict().Select(kv => new CheckpointTensor(kv.Key, kv.Value.shape)).ToArray();

    /// <summary>Writes the checkpoint atomically (temporary file, flush, rename).</summary>
    public static void Save(string path, nn.Module module, OptimizerHelper? optimizer, CheckpointMetadata metadata)
    {
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        string temporary = path + $".{Environment.ProcessId}.tmp";
        try
        {
            using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                using (var writer = new BinaryWriter(file, Encoding.UTF8, leaveOpen: true))
                {
                    writer.Write(Encoding.ASCII.GetBytes(Magic));
                    writer.Write(Version);
                    writer.Write(JsonSerializer.Serialize(metadata, JsonOptions));
                    module.save(writer);
                    writer.Write(optimizer is not null);
                    optimizer?.save_state_dict(writer);
                    writer.Flush();
                }

                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    /// <summary>Reads only the metadata of a checkpoint.</summary>
    public static CheckpointMetadata ReadMetadata(string path)
    {
        using var file = File.OpenRead(path);
        using var reader = new BinaryReader(file, Encoding.UTF8);
        return ReadHeader(reader, path);
    }

    /// <summary>
    /// Loads the checkpoint into <paramref name="module"/> (and <paramref name="optimizer"/> when given and saved).
    /// Throws <see cref="CheckpointMismatchException"/> naming the first parameter whose name or shape differs, before
    /// touching any weight.
    /// </summary>
    public static CheckpointMetadata Load(string path, nn.Module module, OptimizerHelper? optimizer = null)
    {
        using var file = File.OpenRead(path);
        using var reader = new BinaryReader(file, Encoding.UTF8);
        var metadata = ReadHeader(reader, path);
        string modelName = ModelName(module);
        CheckFits(path, metadata, Describe(module), modelName);
        module.load(reader, strict: true);
        if (reader.ReadBoolean() && optimizer is not null)
        {
            optimizer.load_state_dict(reader);
        }

        return metadata;
    }

    /// <summary>Throws <see cref="CheckpointMismatchException"/> when <paramref name="expected"/> (the model's state) differs from the checkpoint's.</summary>
    public static void CheckFits(string path, CheckpointMetadata metadata, IReadOnlyList<CheckpointTensor> expected, string modelName)
    {
        var saved = metadata.Tensors;
        string source = $"checkpoint {path} (saved from {metadata.Model})";
        for (int i = 0; i < Math.Max(saved.Count, expected.Count); i++)
        {
            if (i >= expected.Count)
            {
                throw new CheckpointMismatchException(
                    $"{source} does not fit {modelName}: it has parameter '{saved[i].Name}' {Shape(saved[i].Shape)}, which {modelName} lacks ({modelName} has {expected.Count} state entries, the checkpoint {saved.Count})");
            }

            if (i >= saved.Count)
            {
                throw new CheckpointMismatchException(
                    $"{source} does not fit {modelName}: {modelName}'s parameter '{expected[i].Name}' {Shape(expected[i].Shape)} is not in the checkpoint ({modelName} has {expected.Count} state entries, the checkpoint {saved.Count})");
            }

            var s = saved[i];
            var e = expected[i];
            if (s.Name != e.Name)
            {
                throw new CheckpointMismatchException(
                    $"{source} does not fit {modelName}: parameter #{i + 1} is '{s.Name}' {Shape(s.Shape)} in the checkpoint but '{e.Name}' {Shape(e.Shape)} in {modelName}");
            }

            if (!s.Shape.SequenceEqual(e.Shape))
            {
                throw new CheckpointMismatchException(
                    $"{source} does not fit {modelName}: parameter '{s.Name}' has shape {Shape(s.Shape)} in the checkpoint but {Shape(e.Shape)} in {modelName}");
            }
        }
    }

    /// <summary>
    /// Throws <see cref="ResumeMismatchException"/> when <paramref name="saved"/> (read from <paramref name="path"/>) was
    /// trained with another model name, optimizer, learning rate, batch size, seed, number of training examples, augmentation,
    /// data description, learning-rate schedule, weight decay, momentum or label smoothing than
    /// <paramref name="model"/>, <paramref name="options"/> and <paramref name="trainingExamples"/> ask for. The number of
    /// epochs may differ, since resuming with more epochs is what resuming is for, except under a learning-rate schedule,
    /// which spans the epochs the run was started with.
    /// </summary>
    public static void CheckResumable(string path, CheckpointMetadata saved, string model, TrainingOptions options, long trainingExamples)
    {
        ArgumentNullException.ThrowIfNull(saved);
        ArgumentNullException.ThrowIfNull(options);
        Check(ResumeSetting.Model, saved.Model, model);
        Check(ResumeSetting.Optimizer, saved.Optimizer, Optimizers.Name(options.Optimizer));
        Check(ResumeSetting.LearningRate, Number(saved.LearningRate), Number(options.LearningRate));
        Check(ResumeSetting.BatchSize, Number(saved.BatchSize), Number(options.BatchSize));
        Check(ResumeSetting.Seed, Number(saved.Seed), Number(options.Seed));
        if (saved.TrainingExamples is long examples)
        {
            Check(ResumeSetting.TrainingExamples, Number(examples), Number(trainingExamples));
        }

        // Checkpoints from before augmentation and data descriptions were recorded had neither.
        Check(ResumeSetting.Augmentation, saved.Augmentation ?? LayerDsl.Training.Augmentation.None.Describe(), (options.Augmentation ?? LayerDsl.Training.Augmentation.None).Describe());
        Check(ResumeSetting.Data, saved.Data ?? "none", options.DataDescription ?? "none");

        // Checkpoints from before schedules, weight decay, momentum and label smoothing were recorded had none of them.
        Check(ResumeSetting.Schedule, saved.Schedule ?? LearningRateSchedules.Name(LearningRateSchedule.Constant), LearningRateSchedules.Name(options.Schedule));
        if (options.Schedule != LearningRateSchedule.Constant && saved.Epochs is int epochs)
        {
            Check(ResumeSetting.ScheduledEpochs, Number(epochs), Number(options.Epochs));
        }

        Check(ResumeSetting.WeightDecay, Number(saved.WeightDecay ?? 0), Number(options.WeightDecay));
        Check(ResumeSetting.Momentum, Number(saved.Momentum ?? 0), Number(options.Momentum));
        Check(ResumeSetting.LabelSmoothing, Number(saved.LabelSmoothing ?? 0), Number(options.LabelSmoothing));

        void Check(ResumeSetting setting, string inCheckpoint, string requested)
        {
            if (!string.Equals(inCheckpoint, requested, StringComparison.Ordinal))
            {
                throw new ResumeMismatchException(path, setting, inCheckpoint, requested);
            }
        }
    }

    /// <summary>The name a module goes by: its compile-time model name when it is a LayerDsl model, else its class name.</summary>
    public static string ModelName(object module) => module is ILayerModel layered ? layered.Info.Name : module.GetType().Name;

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Shape(long[] shape) => "[" + string.Join(", ", shape) + "]";

    private static CheckpointMetadata ReadHeader(BinaryReader reader, string path)
    {
        try
        {
            byte[] magic = reader.ReadBytes(Magic.Length);
            if (Encoding.ASCII.GetString(magic) != Magic)
            {
                throw new InvalidDataException($"{path}: not a LayerDsl checkpoint");
            }

            int version = reader.ReadInt32();
            if (version != Version)
            {
                throw new InvalidDataException($"{path}: checkpoint version {version}, this build reads version {Version}");
            }

            return JsonSerializer.Deserialize<CheckpointMetadata>(reader.ReadString(), JsonOptions)
                ?? throw new InvalidDataException($"{path}: empty checkpoint metadata");
        }
        catch (Exception e) when (e is EndOfStreamException or JsonException)
        {
            throw new InvalidDataException($"{path}: truncated or corrupt checkpoint ({e.Message})", e);
        }
    }
}
