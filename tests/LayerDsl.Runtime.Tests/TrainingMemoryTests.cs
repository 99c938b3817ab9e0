using System;
using System.Collections.Generic;
using System.Linq;
using LayerDsl.Models;
using LayerDsl.Runtime.Tests.Fixtures;
using LayerDsl.Training;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace LayerDsl.Runtime.Tests;

/// <summary>
/// Training leaves nothing behind per step: the number of live tensors (TorchSharp counts every tensor it creates and
/// disposes) is the same after every batch once the optimizer has made its state, and the same at the end of every
/// epoch, evaluation included. The count is the process's, so these tests run alone (no other test creating tensors).
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class TrainingMemoryTests(ITestOutputHelper output)
{
    public static TheoryData<string> ModelNames => new() { nameof(MaskedConvNet), nameof(SmallResNet), nameof(DeformConvNet) };

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void No_tensor_is_left_undisposed_per_step_or_per_epoch(string name)
    {
        var train = TrainingTests.Synthetic(192, 1);
        var test = TrainingTests.Synthetic(64, 2);
        Trainer.Seed(1);
        using nn.Module<Tensor, Tensor> model = name switch
        {
            nameof(MaskedConvNet) => new MaskedConvNet(),
            nameof(SmallResNet) => new SmallResNet(),
            _ => new DeformConvNet(),
        };
        var live = new List<(int Epoch, int Batch, long Tensors)>();
        // Tensors other tests dropped without disposing are freed by the finalizer thread whenever it runs, which would
        // lower the count mid-training: let it finish now. (Leaks of this training itself stay visible: no collection
        // runs between the steps it compares.)
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        Trainer.Train(model, train, test, new TrainingOptions { Epochs = 4, BatchSize = 32, Seed = 1 },
            progress => live.Add((progress.Epoch, progress.Batch, Tensor.TotalCount)));

        output.WriteLine(string.Join(", ", live.Select(l => $"{l.Epoch}.{l.Batch}: {l.Tensors}")));
        Assert.Equal(4 * 6, live.Count);
        // From the second step on (the first creates the optimizer's state), every step ends with as many live tensors.
        var steady = live.Skip(1).Select(l => l.Tensors).Distinct().ToList();
        Assert.True(steady.Count == 1, $"Live tensors after each step: {string.Join(", ", live.Select(l => l.Tensors))}; they must not change from step to step.");
        train.Images.Dispose();
        train.Labels.Dispose();
        test.Images.Dispose();
        test.Labels.Dispose();
    }
}
