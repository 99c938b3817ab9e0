using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using LayerDsl.Modules;
using TorchSharp;
using TorchSharp.Modules;
using Xunit.Abstractions;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace LayerDsl.Export.Tests;

/// <summary>
/// State dicts cross between TorchSharp and PyTorch (Debian's python3-torch) in both directions, with equal keys,
/// shapes, values and forward results.
/// </summary>
public sealed class PyTorchWeightsTests(ITestOutputHelper output) : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("layerdsl-pytorch-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void Weights_saved_here_load_into_the_pytorch_twin()
    {
        using var model = new Twin();
        Train(model);
        string weights = Path.Combine(folder, "twin.pt");
        PyTorchWeights.Save(model, weights);

        torch.random.manual_seed(5);
        using var x = randn(3, 1, 8, 8);
        using var y = model.call(x);
        var reference = new JsonObject
        {
            ["state"] = new JsonObject(model.state_dict().Select(p => KeyValuePair.Create(p.Key, (JsonNode?)PythonRunner.TensorJson(p.Value)))),
            ["input"] = PythonRunner.TensorJson(x),
            ["output"] = PythonRunner.TensorJson(y),
        };
        string referencePath = Path.Combine(folder, "reference.json");
        File.WriteAllText(referencePath, reference.ToJsonString());

        var result = JsonNode.Parse(PythonRunner.Run("load_state_dict.py", weights, referencePath))!;
        output.WriteLine($"torch {result["torch"]} loaded {result["keys"]!.AsArray().Count} keys; largest output difference {result["max_output_difference"]}");
        Assert.Equal(model.state_dict().Keys.OrderBy(k => k, StringComparer.Ordinal), result["keys"]!.AsArray().Select(k => (string)k!));
        Assert.True((double)result["max_output_difference"]! <= 1e-5, $"PyTorch's twin differs from the C# model by {result["max_output_difference"]}.");
    }

    [Fact]
    public void Weights_saved_by_torch_save_load_here()
    {
        PythonRunner.Run("save_state_dict.py", folder);
        var reference = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "twin.json")))!;
        using var model = new Twin();
        model.eval();

        PyTorchWeights.Load(model, Path.Combine(folder, "twin.pt"));

        var state = model.state_dict();
        var expected = reference["state"]!.AsObject();
        Assert.Equal(expected.Select(p => p.Key).OrderBy(k => k, StringComparer.Ordinal), state.Keys.OrderBy(k => k, StringComparer.Ordinal));
        foreach (var (key, entry) in expected)
        {
            using var wanted = PythonRunner.FromJson(entry!);
            Assert.True(wanted.shape.SequenceEqual(state[key].shape), $"{key}: [{string.Join(", ", state[key].shape)}] here, [{string.Join(", ", wanted.shape)}] in PyTorch.");
            Assert.True(Same(state[key].to(float32), wanted), $"{key} differs from PyTorch's values.");
        }
        Assert.Equal(3L, state["bn1.num_batches_tracked"].item<long>());

        using var x = PythonRunner.FromJson(reference["input"]!);
        using var y = model.call(x);
        using var wantedOutput = PythonRunner.FromJson(reference["output"]!);
        double difference = (y - wantedOutput).abs().max().item<float>();
        output.WriteLine($"torch {reference["torch"]}: C# forward on PyTorch's weights differs by {difference:E2}");
        Assert.True(difference <= 1e-5, $"The C# model on PyTorch's weights differs from PyTorch by {difference}.");
    }

    [Fact]
    public void The_legacy_pickle_format_is_refused_with_the_fix()
    {
        PythonRunner.Run("save_state_dict.py", folder);
        using var model = new Twin();
        var error = Assert.Throws<InvalidDataException>(() => PyTorchWeights.Load(model, Path.Combine(folder, "twin-legacy.pt")));
        Assert.Contains("zip format", error.Message);
        Assert.Contains("PyTorch 1.6", error.Message);
    }

    [Fact]
    public void Round_trip_restores_every_parameter_and_buffer()
    {
        using var source = new Twin();
        Train(source);
        string weights = Path.Combine(folder, "round-trip.pt");
        PyTorchWeights.Save(source, weights);
        using var target = new Twin();

        PyTorchWeights.Load(target, weights);

        foreach (var (key, value) in source.state_dict())
            Assert.True(Same(value, target.state_dict()[key]), $"{key} changed on the way.");
        Assert.Equal(new[] { "round-trip.pt" }, Directory.GetFiles(folder).Select(Path.GetFileName));
    }

    [Fact]
    public void A_state_dict_of_another_model_is_refused_naming_the_keys()
    {
        using var other = nn.Sequential(("conv1", nn.Conv2d(1, 2, 3)));
        string weights = Path.Combine(folder, "other.pt");
        PyTorchWeights.Save(other, weights);
        using var model = new Twin();
        float[] before = model.state_dict()["dense1.weight"].data<float>().ToArray();

        var error = Assert.Throws<InvalidDataException>(() => PyTorchWeights.Load(model, weights));

        Assert.Contains("missing: ", error.Message);
        Assert.Contains("dense1.weight", error.Message);
        Assert.Contains("'conv1.weight' has shape [2, 1, 3, 3] in the file and [4, 1, 3, 3] in the module", error.Message);
        Assert.Equal(before, model.state_dict()["dense1.weight"].data<float>().ToArray());
        Assert.Throws<FileNotFoundException>(() => PyTorchWeights.Load(model, Path.Combine(folder, "none.pt")));
    }

    /// <summary>Moves the batch norm's running statistics and counter, as training does.</summary>
    private static void Train(Twin model)
    {
        torch.random.manual_seed(4);
        model.train();
        for (int i = 0; i < 3; i++)
        {
            using var batch = randn(16, 1, 8, 8) * 2 + 1;
            using var _ = model.call(batch);
        }
        model.eval();
    }

    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    /// <summary>The C# side of Python/twin.py: the same field names, so the same state-dict keys.</summary>
    private sealed class Twin : nn.Module<Tensor, Tensor>
    {
        private readonly Conv2d conv1;
        private readonly BatchNorm2d bn1;
        private readonly MaskedConv2d masked1;
        private readonly Linear dense1;

        public Twin() : base(nameof(Twin))
        {
            conv1 = nn.Conv2d(1, 4, 3);
            bn1 = nn.BatchNorm2d(4);
            masked1 = new MaskedConv2d(4, 3, 3, bias: true);
            dense1 = nn.Linear(3 * 4 * 4, 5);
            RegisterComponents();
        }

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            Tensor x = F.relu(bn1.call(conv1.call(input)));
            return dense1.call(masked1.call(x).flatten(1)).MoveToOuterDisposeScope();
        }
    }
}
