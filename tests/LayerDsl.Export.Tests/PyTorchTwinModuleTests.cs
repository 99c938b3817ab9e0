using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.Json.Nodes;
using LayerDsl.Modules;
using TorchSharp;
using TorchSharp.PyBridge;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace LayerDsl.Export.Tests;

/// <summary>
/// The PyTorch twins of LayerDsl's runtime modules (<c>Generator/PyTorch/*.py</c>), run by Debian's python3-torch after
/// the prologue of a generated <c>PyTorchSource</c>, take the C# module's saved weights with <c>strict=True</c>, have its
/// state-dict keys and shapes, and compute its output in evaluation and training mode, in float32 (to 1e-5 of the
/// output's scale) and float64 (to 1e-12).
/// </summary>
public sealed class PyTorchTwinModuleTests(ITestOutputHelper output) : IDisposable
{
    private const double Float32Tolerance = 1e-5;
    private const double Float64Tolerance = 1e-12;

    private static readonly string TwinFolder = Path.Combine(AppContext.BaseDirectory, "PyTorch");

    private readonly string folder = Directory.CreateTempSubdirectory("layerdsl-twins-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    /// <summary>
    /// One configuration: the Python constructor call a generated model would emit, the C# module it mirrors, and the
    /// sample input (float, or token ids below <paramref name="Tokens"/> when positive).
    /// </summary>
    private sealed record Twin(string Python, Func<nn.Module<Tensor, Tensor>> Create, long[] InputShape, long Tokens = 0,
        double Std = 0.5);

    [Fact]
    public void MaskedConv2d_every_option()
    {
        Check(new[] { "MaskedConv2d" },
            new Twin("MaskedConv2d(1, 8, 5)", () => new MaskedConv2d(1, 8, 5), new long[] { 2, 1, 12, 12 }),
            new Twin("MaskedConv2d(3, 4, 3, stride=2, padding=1, maskActivation=\"Sigmoid\", activation=\"Tanh\", bias=True)",
                () => new MaskedConv2d(3, 4, 3, stride: 2, padding: 1, maskActivation: MaskActivation.Sigmoid,
                    activation: Activation.Tanh, bias: true),
                new long[] { 3, 3, 9, 8 }),
            new Twin("MaskedConv2d(2, 5, 3, stride=1, padding=2, maskActivation=\"Tanh\", activation=\"None\", bias=True)",
                () => new MaskedConv2d(2, 5, 3, padding: 2, activation: Activation.None, bias: true), new long[] { 2, 2, 7, 7 }),
            new Twin("MaskedConv2d(2, 3, 2, stride=3, maskActivation=\"Sigmoid\", activation=\"Sigmoid\")",
                () => new MaskedConv2d(2, 3, 2, stride: 3, maskActivation: MaskActivation.Sigmoid, activation: Activation.Sigmoid),
                new long[] { 2, 2, 10, 11 }),
            new Twin("MaskedConv2d(2, 4, 3, activation=\"Softmax\", bias=True)",
                () => new MaskedConv2d(2, 4, 3, activation: Activation.Softmax, bias: true), new long[] { 3, 2, 6, 5 }));
    }

    [Fact]
    public void DeformConv2d_every_option()
    {
        // Random offsets of a few pixels, so that samples fall between pixels and outside the image.
        Check(new[] { "DeformConv2d" },
            new Twin("DeformConv2d(4, 6, 3, stride=2, padding=1, dilation=2, offsetGroups=2, modulated=True, activation=\"ReLU\", bias=True, groups=2)",
                () => new DeformConv2d(4, 6, 3, stride: 2, padding: 1, dilation: 2, offsetGroups: 2, activation: Activation.ReLU, groups: 2),
                new long[] { 2, 4, 11, 9 }, Std: 0.3),
            new Twin("DeformConv2d(3, 5, 3, modulated=False, bias=False)",
                () => new DeformConv2d(3, 5, 3, modulated: false, bias: false), new long[] { 2, 3, 8, 13 }, Std: 0.3),
            new Twin("DeformConv2d(2, 4, (3, 2), stride=(1, 2), padding=(1, 0), dilation=(1, 2), activation=\"Tanh\")",
                () => new DeformConv2d(2, 4, (3, 2), (1, 2), (1, 0), (1, 2), activation: Activation.Tanh), new long[] { 2, 2, 9, 10 }, Std: 0.3),
            // Power-of-two sides: the image is sampled without the padding the other sizes get.
            new Twin("DeformConv2d(2, 2, 3, padding=1, offsetGroups=2, activation=\"Sigmoid\")",
                () => new DeformConv2d(2, 2, 3, padding: 1, offsetGroups: 2, activation: Activation.Sigmoid), new long[] { 2, 2, 8, 8 }, Std: 0.3),
            new Twin("DeformConv2d(3, 3, 1, stride=2, modulated=False, activation=\"Softmax\")",
                () => new DeformConv2d(3, 3, 1, stride: 2, modulated: false, activation: Activation.Softmax), new long[] { 2, 3, 7, 6 }, Std: 0.3));
    }

    [Fact]
    public void Branches_concat_and_sum_register_their_children_by_name()
    {
        Check(new[] { "Branches", "MaskedConv2d" },
            new Twin("Branches(\"concat1\", \"Concat\", (\"branchA\", nn.Conv2d(2, 3, 3, padding=1)), (\"branchB\", MaskedConv2d(2, 4, 3, padding=1, bias=True)))",
                () => new Branches("concat1", BranchMerge.Concat,
                    ("branchA", nn.Conv2d(2, 3, 3, padding: 1)),
                    ("branchB", new MaskedConv2d(2, 4, 3, padding: 1, bias: true))),
                new long[] { 2, 2, 6, 5 }),
            // A batch norm makes training mode differ from evaluation mode, and brings buffers.
            new Twin("Branches(\"add1\", \"Sum\", (\"left\", nn.Conv2d(2, 3, 1)), (\"middle\", nn.Sequential(nn.Conv2d(2, 3, 3, padding=1), nn.BatchNorm2d(3), nn.ReLU())), (\"right\", MaskedConv2d(2, 3, 3, padding=1, activation=\"None\")))",
                () => new Branches("add1", BranchMerge.Sum,
                    ("left", nn.Conv2d(2, 3, 1)),
                    ("middle", nn.Sequential(nn.Conv2d(2, 3, 3, padding: 1), nn.BatchNorm2d(3), nn.ReLU())),
                    ("right", new MaskedConv2d(2, 3, 3, padding: 1, activation: Activation.None))),
                new long[] { 3, 2, 5, 5 }));
    }

    [Fact]
    public void TokenEmbedding_looks_up_int64_token_ids()
    {
        Check(new[] { "TokenEmbedding" },
            new Twin("TokenEmbedding(11, 6)", () => new TokenEmbedding(11, 6), new long[] { 3, 7 }, Tokens: 11),
            new Twin("TokenEmbedding(1, 3)", () => new TokenEmbedding(1, 3), new long[] { 2, 4 }, Tokens: 1));
    }

    [Fact]
    public void PositionalEmbedding_adds_a_vector_per_position()
    {
        Check(new[] { "PositionalEmbedding" },
            new Twin("PositionalEmbedding(5, 4)", () => new PositionalEmbedding(5, 4), new long[] { 3, 5, 4 }));
    }

    [Fact]
    public void PositionwiseDense_with_every_activation()
    {
        var twins = Enum.GetValues<Activation>()
            .Select(a => new Twin($"PositionwiseDense(6, 4, activation=\"{a}\")", () => new PositionwiseDense(6, 4, a), new long[] { 3, 5, 6 }))
            .Append(new Twin("PositionwiseDense(6, 4)", () => new PositionwiseDense(6, 4), new long[] { 3, 6 }))
            .ToArray();
        Check(new[] { "PositionwiseDense" }, twins);
    }

    [Fact]
    public void LstmLayer_sequences_or_final_state_one_or_two_directions()
    {
        Check(new[] { "LstmLayer" }, Recurrent("LstmLayer", (d, u, s, b) => new LstmLayer(d, u, s, b)));
    }

    [Fact]
    public void GruLayer_sequences_or_final_state_one_or_two_directions()
    {
        Check(new[] { "GruLayer" }, Recurrent("GruLayer", (d, u, s, b) => new GruLayer(d, u, s, b)));
    }

    [Fact]
    public void SelfAttention_with_derived_and_explicit_key_sizes()
    {
        Check(new[] { "SelfAttention" },
            new Twin("SelfAttention(8, 2)", () => new SelfAttention(8, 2), new long[] { 3, 5, 8 }),
            new Twin("SelfAttention(6, 3, keyDim=5)", () => new SelfAttention(6, 3, keyDim: 5), new long[] { 2, 4, 6 }),
            new Twin("SelfAttention(4, 1)", () => new SelfAttention(4, 1), new long[] { 3, 1, 4 }));
    }

    [Fact]
    public void Every_runtime_module_has_a_twin_with_the_constructor_parameters_of_its_CSharp_class()
    {
        var modules = typeof(MaskedConv2d).Assembly.GetExportedTypes()
            .Where(t => t.Namespace == typeof(MaskedConv2d).Namespace && !t.IsAbstract && typeof(nn.Module).IsAssignableFrom(t))
            .ToDictionary(t => t.Name);
        var twins = Directory.GetFiles(TwinFolder, "*.py").Select(Path.GetFileNameWithoutExtension).OfType<string>().ToList();
        Assert.Equal(modules.Keys.Order(StringComparer.Ordinal), twins.Order(StringComparer.Ordinal));

        string request = Path.Combine(folder, "signatures.json");
        File.WriteAllText(request, new JsonObject { ["sources"] = Sources(twins.ToArray()), ["cases"] = new JsonArray() }.ToJsonString());
        var signatures = JsonNode.Parse(PythonRunner.Run("twin_modules.py", request))!["signatures"]!.AsObject();

        foreach (var (name, type) in modules)
        {
            string python = Signature(signatures[name]!.AsArray());
            // Device and name only place and label the C# module: the twin has neither.
            var constructors = type.GetConstructors()
                .Select(c => Signature(c.GetParameters().Where(p => p.Name is not "device" and not "name" || type == typeof(Branches))))
                .ToList();
            output.WriteLine($"{name}{python}");
            Assert.True(constructors.Contains(python),
                $"The twin {name}{python} differs from every C# constructor:\n  {string.Join("\n  ", constructors)}");
        }
    }

    /// <summary>The four combinations of returnSequences and bidirectional.</summary>
    private static Twin[] Recurrent(string kind, Func<long, long, bool, bool, nn.Module<Tensor, Tensor>> create) =>
        (from sequences in new[] { false, true }
         from bidirectional in new[] { false, true }
         select new Twin($"{kind}(5, 4, returnSequences={PythonBool(sequences)}, bidirectional={PythonBool(bidirectional)})",
             () => create(5, 4, sequences, bidirectional), new long[] { 3, 7, 5 })).ToArray();

    /// <summary>
    /// Builds every twin's C# module with random weights in float32 and float64, runs the Python twins on the same
    /// weights and inputs in one process, and compares keys, shapes and outputs.
    /// </summary>
    private void Check(string[] sources, params Twin[] twins)
    {
        var cases = new JsonArray();
        var expected = new List<(string Name, string[] State, Tensor Eval, Tensor Train, string Output, double Tolerance)>();
        try
        {
            for (int i = 0; i < twins.Length; i++)
            {
                foreach (var dtype in new[] { float32, float64 })
                {
                    var twin = twins[i];
                    string name = $"{twin.Python} [{dtype}]";
                    string file = Path.Combine(folder, $"case{i}-{dtype}");
                    torch.random.manual_seed(i);
                    using var module = twin.Create();
                    OnnxCheck.Randomize(module, twin.Std, seed: i);
                    module.to(dtype);
                    using Tensor x = twin.Tokens > 0
                        ? randint(twin.Tokens, twin.InputShape, dtype: int64)
                        : randn(twin.InputShape, dtype: dtype);
                    // Moves running statistics, as training does (a no-op for modules without any).
                    using (no_grad())
                    {
                        module.train();
                        module.call(x).Dispose();
                    }

                    PyTorchWeights.Save(module, file + ".weights.pt");
                    PyTorchPickler.PickleStateDict(file + ".input.pt", new Dictionary<string, Tensor> { ["input"] = x });
                    Tensor eval, train;
                    using (no_grad())
                    {
                        module.eval();
                        eval = module.call(x).detach();
                        module.train();
                        train = module.call(x).detach();
                    }

                    string[] state = module.state_dict().Select(p => Entry(p.Key, p.Value.shape)).ToArray();
                    expected.Add((name, state, eval, train, file + ".output.pt", dtype == float64 ? Float64Tolerance : Float32Tolerance));
                    cases.Add(new JsonObject
                    {
                        ["name"] = name,
                        ["construct"] = twin.Python,
                        ["double"] = dtype == float64,
                        ["weights"] = file + ".weights.pt",
                        ["input"] = file + ".input.pt",
                        ["output"] = file + ".output.pt",
                    });
                }
            }

            string request = Path.Combine(folder, "request.json");
            File.WriteAllText(request, new JsonObject { ["sources"] = Sources(sources), ["cases"] = cases }.ToJsonString());
            var report = JsonNode.Parse(PythonRunner.Run("twin_modules.py", request))!;
            var results = report["cases"]!.AsArray();
            Assert.Equal(expected.Count, results.Count);

            for (int i = 0; i < expected.Count; i++)
            {
                var (name, state, eval, train, outputFile, tolerance) = expected[i];
                string[] twinState = results[i]!["state"]!.AsArray()
                    .Select(e => Entry((string)e![0]!, e[1]!.AsArray().Select(d => (long)d!))).ToArray();
                // Compared as sets: TorchSharp lists every parameter before every buffer, PyTorch module by module, and
                // load_state_dict goes by key.
                Assert.True(state.Order(StringComparer.Ordinal).SequenceEqual(twinState.Order(StringComparer.Ordinal)),
                    $"{name}: the state dicts differ.\n  C#:      {string.Join(", ", state)}\n  PyTorch: {string.Join(", ", twinState)}");

                var outputs = PyTorchUnpickler.UnpickleStateDict(outputFile);
                try
                {
                    double evalDifference = Difference(name, "evaluation", eval, (Tensor)outputs["eval"]!);
                    double trainDifference = Difference(name, "training", train, (Tensor)outputs["train"]!);
                    output.WriteLine($"{name}: torch {report["torch"]}, {state.Length} state entries; largest difference "
                        + $"{evalDifference:E1} (eval), {trainDifference:E1} (train) of the output's scale");
                    Assert.True(evalDifference <= tolerance && trainDifference <= tolerance,
                        $"{name}: the twin differs from C# by {evalDifference:E2} (eval) and {trainDifference:E2} (train) of the output's scale; allowed {tolerance:E0}.");
                }
                finally
                {
                    foreach (DictionaryEntry entry in outputs)
                        (entry.Value as IDisposable)?.Dispose();
                }
            }
        }
        finally
        {
            foreach (var e in expected)
            {
                e.Eval.Dispose();
                e.Train.Dispose();
            }
        }
    }

    /// <summary>The largest difference relative to the largest magnitude of the C# output, shapes and dtypes checked.</summary>
    private static double Difference(string name, string mode, Tensor expected, Tensor actual)
    {
        Assert.True(expected.shape.SequenceEqual(actual.shape),
            $"{name} ({mode}): C# gives [{string.Join(", ", expected.shape)}], the twin [{string.Join(", ", actual.shape)}].");
        Assert.Equal(expected.dtype, actual.dtype);
        using var scope = NewDisposeScope();
        double scale = expected.abs().max().to(float64).item<double>();
        Assert.True(scale > 0, $"{name} ({mode}): the C# output is all zeros, which would let any twin pass.");
        return (expected.to(float64) - actual.to(float64)).abs().max().item<double>() / scale;
    }

    private static JsonArray Sources(IEnumerable<string> names) =>
        new(names.Select(n => (JsonNode?)Path.Combine(TwinFolder, n + ".py")).ToArray());

    private static string Entry(string key, IEnumerable<long> shape) => $"{key} [{string.Join(", ", shape)}]";

    private static string PythonBool(bool value) => value ? "True" : "False";

    /// <summary>A twin's signature from the Python side: [name, has default, default, kind] per parameter.</summary>
    private static string Signature(JsonArray parameters) =>
        "(" + string.Join(", ", parameters.Select(p => Parameter(
            (string)p![0]!, (bool)p[1]! ? p[2]?.ToJsonString() ?? "null" : null, (string)p[3]! == "VAR_POSITIONAL"))) + ")";

    /// <summary>A C# constructor's signature written as its twin's: enum defaults as their names, bools as Python's.</summary>
    private static string Signature(IEnumerable<ParameterInfo> parameters) =>
        "(" + string.Join(", ", parameters.Select(p => Parameter(p.Name!, p.HasDefaultValue ? Default(p) : null,
            p.IsDefined(typeof(ParamArrayAttribute))))) + ")";

    private static string Default(ParameterInfo parameter) => parameter.DefaultValue switch
    {
        bool b => b ? "true" : "false",
        null => "null",
        IConvertible v when parameter.ParameterType.IsEnum => $"\"{Enum.GetName(parameter.ParameterType, v)}\"",
        IConvertible v => Convert.ToString(v, CultureInfo.InvariantCulture)!,
        var other => other.ToString()!,
    };

    private static string Parameter(string name, string? defaultValue, bool variadic) =>
        (variadic ? "*" : "") + name + (defaultValue is null ? "" : "=" + defaultValue);
}
