using System.Collections.Generic;
using LayerDsl;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LayerDsl.Runtime.Tests.Fixtures;

/// <summary>A hand-written stand-in for a generated model: Conv2D(filters, kernel, ReLU), MaxPool(2), Flatten, Dense(classes, Softmax).</summary>
public class TinyConvNet : nn.Module<Tensor, Tensor>, ILayerModel
{
    private readonly Conv2d conv1;
    private readonly MaxPool2d pool1;
    private readonly Flatten flatten1;
    private readonly Linear dense1;

    public TinyConvNet(long filters = 8, long kernel = 3, string name = "TinyConvNet", Device? device = null, long classes = 10)
        : base(name)
    {
        long side = (28 - kernel + 1) / 2;
        conv1 = nn.Conv2d(1, filters, kernel);
        pool1 = nn.MaxPool2d(2);
        flatten1 = nn.Flatten();
        dense1 = nn.Linear(filters * side * side, classes);
        RegisterComponents();
        long count = 0;
        foreach (var p in parameters())
        {
            count += p.numel();
        }

        Info = new ModelInfo(name, new long[] { 1, 28, 28 }, new long[] { classes }, new List<LayerInfo>(), count, Activation.Softmax, $"{name}: {count} parameters");
        if (device is not null)
        {
            this.to(device);
        }
    }

    public ModelInfo Info { get; }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return nn.functional.softmax(ForwardLogits(input), 1).MoveToOuterDisposeScope();
    }

    public Tensor ForwardLogits(Tensor input)
    {
        using var scope = NewDisposeScope();
        return dense1.forward(flatten1.forward(pool1.forward(nn.functional.relu(conv1.forward(input))))).MoveToOuterDisposeScope();
    }

    public IReadOnlyList<Tensor> ForwardTrace(Tensor input)
    {
        var c = nn.functional.relu(conv1.forward(input));
        var p = pool1.forward(c);
        var f = flatten1.forward(p);
        var d = dense1.forward(f);
        return new[] { c, p, f, nn.functional.softmax(d, 1) };
    }
}

/// <summary>A fixture model the runner's catalog can build (constructor taking a device), like a generated one.</summary>
public sealed class SmallCnn : TinyConvNet
{
    public SmallCnn(Device? device = null)
        : base(8, 3, nameof(SmallCnn), device)
    {
    }
}

/// <summary>A second fixture model with another architecture (5x5 kernels, 16 filters).</summary>
public sealed class WideCnn : TinyConvNet
{
    public WideCnn(Device? device = null)
        : base(16, 5, nameof(WideCnn), device)
    {
    }
}

/// <summary>A plain TorchSharp classifier that is not a LayerDsl model: the trainer must read its class count from its logits.</summary>
public sealed class PlainClassifier : nn.Module<Tensor, Tensor>
{
    private readonly Flatten flatten;
    private readonly Linear linear;

    public PlainClassifier(long classes)
        : base(nameof(PlainClassifier))
    {
        flatten = nn.Flatten();
        linear = nn.Linear(28 * 28, classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => linear.call(flatten.call(input));
}
