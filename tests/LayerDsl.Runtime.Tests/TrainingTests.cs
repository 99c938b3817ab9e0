using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using LayerDsl.Experiments.Data;
using LayerDsl.Runtime.Tests.Fixtures;
using LayerDsl.Training;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace LayerDsl.Runtime.Tests;

public sealed class TrainingTests
{
    private readonly ITestOutputHelper output;

    public TrainingTests(ITestOutputHelper output) => this.output = output;

    /// <summary>Random but fixed images whose label is decided by which quarter of the image is brightest, so a model can learn it.</summary>
    internal static (Tensor Images, Tensor Labels) Synthetic(int count, int seed)
    {
        using var scope = NewDisposeScope();
        using var generator = new TorchSharp.torch.Generator((ulong)seed);
        var labels = randint(0, 4, new long[] { count }, generator: generator);
        var images = rand(new long[] { count, 1, 28, 28 }, generator: generator).mul_(0.5);
        var quarter = zeros(4, 1, 28, 28);
        quarter[0, 0, ..14, ..14] = tensor(0.5f);
        quarter[1, 0, ..14, 14..] = tensor(0.5f);
        quarter[2, 0, 14.., ..14] = tensor(0.5f);
        quarter[3, 0, 14.., 14..] = tensor(0.5f);
        images.add_(quarter.index_select(0, labels));
        return (images.MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope());
    }

    internal static TrainingResult TrainTiny(int seed, TrainingOptions options)
    {
        var train = Synthetic(512, 1);
        var test = Synthetic(256, 2);
        Trainer.Seed(seed);
        using var model = new TinyConvNet(4, 3);
        return Trainer.Train(model, train, test, options with { Seed = seed });
    }

    [Theory]
    [InlineData(OptimizerKind.RmsProp, 1e-3)]
    [InlineData(OptimizerKind.Adam, 1e-3)]
    [InlineData(OptimizerKind.Sgd, 0.1)]
    public void Every_optimizer_learns(OptimizerKind optimizer, double learningRate)
    {
        var result = TrainTiny(0, new TrainingOptions { Epochs = 2, BatchSize = 32, Optimizer = optimizer, LearningRate = learningRate });
        Assert.True(result.Final.Accuracy > 0.6, $"{optimizer}: {result.Final.Accuracy}");
        Assert.True(result.History[1].TrainLoss < result.History[0].TrainLoss);
    }

    [Fact]
    public void Progress_reports_every_batch_and_evaluation_fills_the_confusion_matrix()
    {
        var train = Synthetic(300, 1);
        var test = Synthetic(100, 2);
        Trainer.Seed(0);
        using var model = new TinyConvNet(4, 3);
        var reports = new List<TrainingProgress>();

        var result = Trainer.Train(model, train, test, new TrainingOptions { BatchSize = 128 }, reports.Add);

        Assert.Equal(new[] { 1, 2, 3 }, reports.ConvertAll(r => r.Batch));
        Assert.All(reports, r => Assert.Equal(3, r.Batches));
        Assert.All(reports, r => Assert.True(r.ImagesPerSecond > 0));
        Assert.Equal(System.TimeSpan.Zero, reports[^1].Remaining);
        Assert.Equal("TinyConvNet", result.Model);
        Assert.Equal(100, result.Final.Count);
        long total = 0;
        long diagonal = 0;
        for (int i = 0; i < 10; i++)
        {
            for (int j = 0; j < 10; j++)
            {
                total += result.Final.ConfusionMatrix[i][j];
            }

            diagonal += result.Final.ConfusionMatrix[i][i];
        }

        Assert.Equal(100, total);
        Assert.Equal(result.Final.Accuracy, diagonal / 100.0, 9);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(20)]
    public void The_number_of_classes_is_the_models_output_width(int classes)
    {
        // Four-quarter images with labels 0-3: a 2-class model sees them folded into 0-1, a 20-class one never sees 4-19.
        var (trainImages, trainLabels) = Synthetic(128, 1);
        var (testImages, testLabels) = Synthetic(64, 2);
        if (classes < 4)
        {
            trainLabels = trainLabels.remainder(classes);
            testLabels = testLabels.remainder(classes);
        }

        Trainer.Seed(0);
        using var model = new TinyConvNet(4, 3, classes: classes);

        var result = Trainer.Train(model, (trainImages, trainLabels), (testImages, testLabels), new TrainingOptions { Epochs = 2, BatchSize = 32 });

        Assert.Equal(classes, result.Final.ConfusionMatrix.Length);
        Assert.All(result.Final.ConfusionMatrix, row => Assert.Equal(classes, row.Length));
        Assert.Equal(64, result.Final.ConfusionMatrix.Sum(row => row.Sum()));
        for (int label = 0; label < classes; label++)
        {
            Assert.Equal(testLabels.eq(label).sum().item<long>(), result.Final.ConfusionMatrix[label].Sum());
        }
    }

    [Fact]
    public void A_model_that_is_not_a_layerdsl_model_has_as_many_classes_as_its_logits_are_wide()
    {
        var train = Synthetic(96, 1);
        var test = Synthetic(32, 2);
        Trainer.Seed(0);
        using var model = new PlainClassifier(6);

        var result = Trainer.Train(model, train, test, new TrainingOptions { BatchSize = 32 });

        Assert.Equal(6, result.Final.ConfusionMatrix.Length);
        Assert.Equal("PlainClassifier", result.Model);
    }

    [Fact]
    public void A_label_outside_the_models_classes_is_refused_before_any_training()
    {
        var (images, labels) = Synthetic(64, 1);
        var test = Synthetic(16, 2);
        Trainer.Seed(0);
        using var model = new TinyConvNet(4, 3, classes: 2);
        var before = model.parameters().Select(p => p.detach().clone()).ToArray();
        long first = Enumerable.Range(0, 64).First(i => labels[i].item<long>() >= 2);

        var e = Assert.Throws<DataMismatchException>(() => Trainer.Train(model, (images, labels), test, new TrainingOptions()));

        Assert.Equal($"training label {labels[first].item<long>()} at index {first} is outside 0-1: TinyConvNet has 2 classes (from its output shape [2]); labels must be class indices below that", e.Message);
        Assert.All(model.parameters().Zip(before), pair => Assert.True(pair.First.allclose(pair.Second, rtol: 0, atol: 0)));
    }

    [Fact]
    public void Labels_that_are_not_class_indices_of_every_input_are_refused_naming_the_fault()
    {
        var (images, labels) = Synthetic(32, 1);
        var test = Synthetic(16, 2);
        using var model = new TinyConvNet(4, 3);

        var asFloat = Assert.Throws<DataMismatchException>(() => Trainer.Train(model, (images, labels.to_type(ScalarType.Float32)), test, new TrainingOptions()));
        Assert.StartsWith("the training labels are Float32; they must be int64 class indices", asFloat.Message);

        var tooFew = Assert.Throws<DataMismatchException>(() => Trainer.Train(model, (images, labels.narrow(0, 0, 30)), test, new TrainingOptions()));
        Assert.Equal("32 training inputs but 30 training labels; every input needs one label", tooFew.Message);

        var badTest = Assert.Throws<DataMismatchException>(() => Trainer.Train(model, (images, labels), (test.Images, test.Labels.add(10)), new TrainingOptions()));
        Assert.StartsWith("test label ", badTest.Message);
    }

    [Fact]
    public void Memory_stays_flat_across_batches()
    {
        var train = Synthetic(256, 1);
        var test = Synthetic(64, 2);
        Trainer.Seed(0);
        using var model = new TinyConvNet(4, 3);
        var live = new List<long>();
        Trainer.Train(model, train, test, new TrainingOptions { Epochs = 2, BatchSize = 16 }, _ => live.Add(TorchSharp.DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount));

        // After the optimizer's state exists (first step), the number of live tensors must not grow with batches.
        Assert.Equal(live[2], live[^1]);
    }

    /// <summary>
    /// The origin's setting on the real data (60,000 training images, one epoch, RMSprop lr 1e-3, batch 128), scored on
    /// the 10,000 test images, averaged over seeds 0 and 1. How the bar was chosen, measured on this project's machine with
    /// <c>compare --models StandardCnn --seeds 6</c> (seeds 0-11): one seed's accuracy is 0.8683 on average with a standard
    /// deviation of 0.0051 (lowest 0.8613), so the mean of two seeds varies by about 0.0036 and 0.853 is four of those below
    /// the average: another seed, thread count or TorchSharp build does not fail it. Broken trainers land below it (seeds 0
    /// and 1): labels not shuffled with their images 0.085, softmax probabilities taken as logits 0.588, gradients never
    /// zeroed 0.843, a learning rate ten times too small 0.816. (One epoch on 5,000 images, the setting used before, spread
    /// from 0.51 to 0.76 across seeds and could tell none of these apart.) A learning rate ten times too large gives 0.863
    /// and passes: OptimizerTests pin the learning rate itself. The mean test loss must stay at or below 0.45: seeds 0 and 1
    /// gave 0.352 and 0.380 (mean 0.366) in the run that gave accuracies 0.8752 and 0.8626; a loss summed over batches
    /// instead of averaged per image is in the hundreds, probabilities taken as logits give more than 1.5.
    /// </summary>
    [RealDataFact]
    public void StandardCnn_in_the_origins_setting_reaches_its_measured_accuracy_on_the_real_test_set()
    {
        Assert.True(RealData.Directory is not null, "CI is set but Fashion-MNIST is missing: .ci/run must install dataset-fashion-mnist");
        var stopwatch = Stopwatch.StartNew();
        var data = FashionMnist.Load(RealData.Directory!);
        var train = data.Train.ToTensors();
        var test = data.Test.ToTensors();
        var accuracies = new List<double>();
        var losses = new List<double>();
        foreach (int seed in new[] { 0, 1 })
        {
            Trainer.Seed(seed);
            using var model = new LayerDsl.Models.StandardCnn();
            var result = Trainer.Train(model, train, test, new TrainingOptions { Seed = seed });
            output.WriteLine($"seed {seed}: test accuracy {result.Final.Accuracy:F4}, loss {result.Final.Loss:F4}");
            Assert.Equal(10_000, result.Final.Count);
            accuracies.Add(result.Final.Accuracy);
            losses.Add(result.Final.Loss);
        }

        double mean = accuracies.Average();
        output.WriteLine($"mean {mean:F4} in {stopwatch.Elapsed.TotalSeconds:F1} s");
        Assert.True(mean >= 0.853, $"mean test accuracy {mean:F4} over seeds 0 and 1 is below 0.853 (measured: 0.8683 per seed, sd 0.0051)");
        double loss = losses.Average();
        Assert.True(loss is > 0 and <= 0.45, $"mean test loss {loss:F4} over seeds 0 and 1 is outside (0, 0.45] (measured: 0.352 and 0.380 per image)");
    }
}

/// <summary>
/// Two trainings compared for exact equality: alone, after the parallel tests (<see cref="RunsAlone"/>), where no other
/// test changes the thread count or draws from TorchSharp's process-wide generator between a seed and its use.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class SameSeedTests
{
    [Fact]
    public void Same_seed_gives_the_same_accuracies_and_another_seed_differs()
    {
        var options = new TrainingOptions { Epochs = 2, BatchSize = 64 };
        var a = TrainingTests.TrainTiny(3, options);
        var b = TrainingTests.TrainTiny(3, options);
        var c = TrainingTests.TrainTiny(4, options);

        Assert.Equal(a.History[1].TestAccuracy, b.History[1].TestAccuracy);
        Assert.Equal(a.History[1].TrainLoss, b.History[1].TrainLoss);
        Assert.NotEqual(a.History[1].TrainLoss, c.History[1].TrainLoss);
        Assert.True(a.Final.Accuracy > 0.4, $"chance is 0.25; got {a.Final.Accuracy}");
    }

    [Fact]
    public void A_collection_after_every_batch_changes_no_number()
    {
        // Alone, as this class runs: the forced collections must not meet another test's TorchSharp calls.
        var options = new TrainingOptions { Epochs = 2, BatchSize = 64 };
        var plain = TrainingTests.TrainTiny(3, options);
        int before = GC.CollectionCount(0);
        NativeMemory.ReleaseFinalizedEachBatch = true;
        TrainingResult collected;
        try
        {
            collected = TrainingTests.TrainTiny(3, options);
        }
        finally
        {
            NativeMemory.ReleaseFinalizedEachBatch = false;
        }

        Assert.True(GC.CollectionCount(0) - before >= 16, "the trainer did not collect after each of its 16 batches (512 images, 64 a batch, 2 epochs)");
        Assert.Equal(plain.History[1].TrainLoss, collected.History[1].TrainLoss);
        Assert.Equal(plain.History[1].TestAccuracy, collected.History[1].TestAccuracy);
    }
}
