using System.IO;
using System.Linq;
using LayerDsl.Runtime.Tests.Fixtures;
using LayerDsl.Training;
using static TorchSharp.torch;

namespace LayerDsl.Runtime.Tests;

/// <summary>
/// Alone, after the parallel tests (<see cref="RunsAlone"/>): its resume tests compare a resumed training with an
/// uninterrupted one for exact equality, which a parallel test can break by changing the intra-op thread count or drawing
/// from TorchSharp's process-wide generator between a seed and its use.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class CheckpointTests
{
    private static CheckpointMetadata Metadata(nn.Module model, int epoch = 1) => new()
    {
        Model = Checkpoint.ModelName(model),
        Epoch = epoch,
        Optimizer = "rmsprop",
        LearningRate = 1e-3,
        BatchSize = 128,
        Seed = 0,
        Tensors = Checkpoint.Describe(model),
        History = new[] { new EpochResult(1, 1.0, 0.5, 0.9, 0.6, 2.0, 100) },
    };

    [Fact]
    public void Round_trip_restores_weights_and_metadata()
    {
        using var dir = new TempDir();
        string path = Checkpoint.PathFor(dir.Path, "TinyConvNet", 1);
        Trainer.Seed(1);
        using var saved = new TinyConvNet();
        Checkpoint.Save(path, saved, null, Metadata(saved));
        Trainer.Seed(2);
        using var loaded = new TinyConvNet();
        using var input = rand(2, 1, 28, 28);
        Assert.False(saved.forward(input).allclose(loaded.forward(input)));

        var metadata = Checkpoint.Load(path, loaded);

        Assert.True(saved.forward(input).allclose(loaded.forward(input)));
        Assert.Equal("TinyConvNet", metadata.Model);
        Assert.Equal(1, metadata.Epoch);
        Assert.Equal(0.6, metadata.History.Single().TestAccuracy);
        Assert.Equal(new[] { "conv1.weight", "conv1.bias", "dense1.weight", "dense1.bias" }, metadata.Tensors.Select(t => t.Name));
        Assert.Equal(new[] { Path.GetFileName(path) }, Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Another_architecture_is_refused_naming_the_parameter_and_both_shapes()
    {
        using var dir = new TempDir();
        string path = dir.Sub("m.ckpt");
        using var threeByThree = new TinyConvNet(8, 3, "StandardLike");
        Checkpoint.Save(path, threeByThree, null, Metadata(threeByThree));
        using var fiveByFive = new TinyConvNet(16, 5, "Other");

        var e = Assert.Throws<CheckpointMismatchException>(() => Checkpoint.Load(path, fiveByFive));

        Assert.Equal($"checkpoint {path} (saved from StandardLike) does not fit Other: parameter 'conv1.weight' has shape [8, 1, 3, 3] in the checkpoint but [16, 1, 5, 5] in Other", e.Message);
    }

    [Fact]
    public void Differently_named_parameters_are_refused_naming_both()
    {
        var metadata = new CheckpointMetadata
        {
            Model = "A", Epoch = 1, Optimizer = "sgd", LearningRate = 0.1, BatchSize = 1, Seed = 0, History = new EpochResult[0],
            Tensors = new[] { new CheckpointTensor("maskedConv1.mask.weight", new long[] { 25, 1, 5, 5 }) },
        };
        var e = Assert.Throws<CheckpointMismatchException>(() =>
            Checkpoint.CheckFits("x.ckpt", metadata, new[] { new CheckpointTensor("conv1.weight", new long[] { 32, 1, 3, 3 }), new CheckpointTensor("conv1.bias", new long[] { 32 }) }, "B"));
        Assert.Contains("parameter #1 is 'maskedConv1.mask.weight' [25, 1, 5, 5] in the checkpoint but 'conv1.weight' [32, 1, 3, 3] in B", e.Message);
    }

    [Fact]
    public void Resume_continues_from_the_last_epoch_and_matches_an_uninterrupted_run()
    {
        var train = TrainingTests.Synthetic(256, 1);
        var test = TrainingTests.Synthetic(128, 2);
        using var dir = new TempDir();
        var options = new TrainingOptions { Epochs = 3, BatchSize = 32, Seed = 5 };

        Trainer.Seed(5);
        using var straight = new TinyConvNet(4, 3);
        var uninterrupted = Trainer.Train(straight, train, test, options);

        // "Killed" after epoch 2: train two epochs with checkpoints, then a fresh process-like model resumes.
        Trainer.Seed(5);
        using var first = new TinyConvNet(4, 3);
        Trainer.Train(first, train, test, options with { Epochs = 2, CheckpointDirectory = dir.Path });
        Assert.Equal(Checkpoint.PathFor(dir.Path, "TinyConvNet", 2), Checkpoint.Latest(dir.Path, "TinyConvNet"));
        Trainer.Seed(99);
        using var second = new TinyConvNet(4, 3);
        var resumed = Trainer.Train(second, train, test, options with { CheckpointDirectory = dir.Path, Resume = true });

        Assert.Equal(2, resumed.ResumedFromEpoch);
        Assert.Equal(new[] { 1, 2, 3 }, resumed.History.Select(h => h.Epoch));
        Assert.Equal(uninterrupted.History.Select(h => h.TestAccuracy), resumed.History.Select(h => h.TestAccuracy));
        Assert.Equal(uninterrupted.History[2].TrainLoss, resumed.History[2].TrainLoss, 5);
        Assert.Equal(3, Directory.GetFiles(dir.Path, "*.ckpt").Length);
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }

    [Theory]
    [InlineData("LearningRate", "learning rate 0.001", "0.01")]
    [InlineData("Optimizer", "optimizer rmsprop", "adam")]
    [InlineData("BatchSize", "batch size 32", "64")]
    [InlineData("ModelName", "model TinyConvNet", "Renamed")]
    [InlineData("Augmentation", "augmentation none", "crop(padding 2), flip")]
    [InlineData("DataDescription", "data none", "rotate(±45°)")]
    public void Resuming_with_another_setting_is_refused_naming_both_values(string setting, string saved, string requested)
    {
        var train = TrainingTests.Synthetic(64, 1);
        var test = TrainingTests.Synthetic(32, 2);
        using var dir = new TempDir();
        var options = new TrainingOptions { Epochs = 1, BatchSize = 32, CheckpointDirectory = dir.Path };
        Trainer.Seed(5);
        using (var first = new TinyConvNet(4, 3))
        {
            Trainer.Train(first, train, test, options);
        }

        var changed = setting switch
        {
            "LearningRate" => options with { LearningRate = 0.01 },
            "Optimizer" => options with { Optimizer = OptimizerKind.Adam },
            "BatchSize" => options with { BatchSize = 64 },
            "Augmentation" => options with { Augmentation = new Augmentation { CropPadding = 2, HorizontalFlip = true } },
            "DataDescription" => options with { DataDescription = "rotate(±45°)" },
            _ => options with { ModelName = "Renamed" },
        };
        if (setting == "ModelName")
        {
            // A checkpoint of another name is found only when the file says so: copy it under the new name.
            File.Copy(Checkpoint.PathFor(dir.Path, "TinyConvNet", 1), Checkpoint.PathFor(dir.Path, "Renamed", 1));
        }

        using var second = new TinyConvNet(4, 3);
        var e = Assert.Throws<ResumeMismatchException>(() => Trainer.Train(second, train, test, changed with { Epochs = 2, Resume = true }));

        string path = Checkpoint.PathFor(dir.Path, setting == "ModelName" ? "Renamed" : "TinyConvNet", 1);
        Assert.Equal($"checkpoint {path} was trained with {saved}, but this run asks for {requested}; resume with {saved}, or train afresh in another checkpoint directory", e.Message);
        Assert.False(File.Exists(Checkpoint.PathFor(dir.Path, setting == "ModelName" ? "Renamed" : "TinyConvNet", 2)));
    }

    [Fact]
    public void Resuming_with_more_epochs_is_what_resuming_is_for()
    {
        var train = TrainingTests.Synthetic(64, 1);
        var test = TrainingTests.Synthetic(32, 2);
        using var dir = new TempDir();
        var options = new TrainingOptions { Epochs = 1, BatchSize = 32, CheckpointDirectory = dir.Path };
        Trainer.Seed(5);
        using (var first = new TinyConvNet(4, 3))
        {
            Trainer.Train(first, train, test, options);
        }

        using var second = new TinyConvNet(4, 3);
        var resumed = Trainer.Train(second, train, test, options with { Epochs = 2, Resume = true });

        Assert.Equal(1, resumed.ResumedFromEpoch);
        Assert.Equal(64, Checkpoint.ReadMetadata(Checkpoint.PathFor(dir.Path, "TinyConvNet", 2)).TrainingExamples);
    }
}
