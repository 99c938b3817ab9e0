using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using LayerDsl.Generator.Tests.Infrastructure;
using LayerDsl.Generator.Tests.Properties;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace LayerDsl.Export.Tests;

/// <summary>
/// The random models of the shape property test, exported: every accepted model of a seeded sample runs in ONNX Runtime
/// (at two batch sizes) and, as its generated PyTorch twin with <c>SaveForPyTorch</c>'s weights, in Debian's PyTorch, each
/// against the C# model's own forward pass.
/// </summary>
/// <remarks>
/// <c>LAYERDSL_EXPORT_MODELS</c> sets how many random models are drawn (default 60; the rejected ones are skipped);
/// <c>LAYERDSL_PROPERTY_SEED</c> replays a run, as in the property test.
/// </remarks>
public sealed class RandomModelExportTests(ITestOutputHelper output) : IDisposable
{
    public const string ModelsVariable = "LAYERDSL_EXPORT_MODELS";

    private const int DefaultModels = 60;

    /// <summary>
    /// Random models chain up to a dozen layers with random weights in float32, which ONNX Runtime and libtorch round
    /// differently (seen: up to 1.7e-5 of the output's scale); the models of Models/ and the layer tests keep 1e-5.
    /// </summary>
    private const double OnnxTolerance = 1e-4;

    private readonly string folder = Directory.CreateTempSubdirectory("layerdsl-random-export-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void Random_models_run_in_onnx_runtime_and_as_pytorch_twins_as_they_run_in_torchsharp()
    {
        var (seed, count, _, replay) = PropertyRun.FromEnvironment(ShapeInvariantPropertyTests.SeedVariable, ModelsVariable, DefaultModels);
        output.WriteLine($"Random models drawn: {count}, seed {seed} (replay with {replay})");

        var accepted = Enumerable.Range(0, count)
            .Select(i => RandomModels.Create(seed, i))
            .Where(m => ReferenceShapes.Infer(m) is { IsValid: true } r
                && r.Parameters <= RandomModels.MaxParameters && r.MultiplyAdds <= RandomModels.MaxMultiplyAdds)
            .ToList();
        Assert.True(accepted.Count > 0, $"No model of the sample was valid ({replay}).");

        var run = GeneratorHarness.Run(GeneratorHarness.CompileFiles(accepted.Select(m => (m.FileName, m.Source)).ToArray()));
        using var image = new MemoryStream();
        var emitted = run.Output.Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics.Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error)));
        using var loaded = CompiledModels.Load(image);

        var manifest = new JsonArray();
        var expected = new Dictionary<string, (Tensor Output, string[] Keys)>();
        var failures = new List<string>();
        var silent = new List<int>();
        double worstOnnx = 0;
        using var scope = NewDisposeScope();
        foreach (var (model, index) in accepted.Select((m, i) => (m, i)))
        {
            var module = (nn.Module<Tensor, Tensor>)loaded.Create(model.FullName);
            var layerModel = (ILayerModel)module;
            var info = layerModel.Info;
            GeneratedModelTests.Prepare(module, seed: index);
            using (no_grad())
            {
                // A model whose output is all zeros on random input (a ReLU before a bias-free layer, say) cannot tell
                // a right export from a wrong one: counted, not compared.
                bool allZero = new[] { (Batch: 3L, Seed: index), (Batch: 1L, Seed: 1), (Batch: 3L, Seed: 3) }.Any(p =>
                {
                    using var probe = GeneratedModelTests.RandomInput(info, p.Batch, p.Seed);
                    using var probed = module.call(probe);
                    return probed.abs().max().item<float>() == 0;
                });
                if (allZero)
                {
                    silent.Add(model.Index);
                    continue;
                }
            }

            string onnx = Path.Combine(folder, $"m{index}.onnx");
            try
            {
                layerModel.ExportOnnx(onnx);
                worstOnnx = Math.Max(worstOnnx, GeneratedModelTests.OnnxAgrees(onnx, info, x => module.call(x), OnnxTolerance));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                failures.Add($"ONNX, model #{model.Index}: {e.Message}\n{model.Source}");
            }

            string source = Path.Combine(folder, $"m{index}.py");
            File.WriteAllText(source, layerModel.PyTorchSource);
            string weights = Path.Combine(folder, $"m{index}.pt");
            layerModel.SaveForPyTorch(weights);
            var x32 = GeneratedModelTests.RandomInput(info, 3, seed: index);
            var x = x32.dtype == int64 ? x32 : x32.to(float64);
            var json = PythonRunner.TensorJson(x);
            json["dtype"] = x.dtype == int64 ? "int64" : "float64";
            string input = Path.Combine(folder, $"m{index}.json");
            File.WriteAllText(input, json.ToJsonString());
            using (no_grad())
            {
                module.to(float64);
                expected[model.FullName] = (module.call(x).MoveToOuterDisposeScope(), module.state_dict().Keys.OrderBy(k => k, StringComparer.Ordinal).ToArray());
            }

            manifest.Add(new JsonObject { ["name"] = model.FullName, ["model_py"] = source, ["class"] = info.Name, ["weights"] = weights, ["input"] = input });
        }

        string manifestPath = Path.Combine(folder, "manifest.json");
        File.WriteAllText(manifestPath, manifest.ToJsonString());
        var result = JsonNode.Parse(PythonRunner.Run("random_twins.py", manifestPath))!;
        double worstTwin = 0;
        foreach (var model in accepted.Where(m => expected.ContainsKey(m.FullName)))
        {
            var twin = result["models"]![model.FullName]!;
            var (reference, keys) = expected[model.FullName];
            var twinKeys = twin["keys"]!.AsArray().Select(k => (string)k!).ToArray();
            if (!keys.SequenceEqual(twinKeys))
            {
                failures.Add($"PyTorch, model #{model.Index}: state-dict keys differ: C# [{string.Join(", ", keys)}], twin [{string.Join(", ", twinKeys)}]\n{model.Source}");
                continue;
            }

            double difference = GeneratedModelTests.Relative(PythonRunner.FromJson64(twin["output"]!), reference);
            worstTwin = Math.Max(worstTwin, difference);
            if (difference > 1e-5)
            {
                failures.Add($"PyTorch, model #{model.Index}: the twin differs by {difference:E2} of the output's scale\n{model.Source}");
            }
        }

        output.WriteLine(
            $"{accepted.Count - silent.Count} accepted models exported ({silent.Count} more give all zeros on random input and were not compared: {string.Join(", ", silent.Select(i => "#" + i))}): largest difference {worstOnnx:E2} in ONNX Runtime (float32, batch 1 and 3), " +
            $"{worstTwin:E2} in PyTorch {result["torch"]} (float64); {failures.Count} failures.");
        Assert.True(failures.Count == 0, $"{failures.Count} failure(s) ({replay}):\n\n" + string.Join("\n\n", failures.Take(5)));
    }
}
