using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using LayerDsl.Generator.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace LayerDsl.Generator.Tests.Properties;

/// <summary>
/// LayerDsl's central invariant on random models: every model the generator accepts compiles, loads, and produces
/// at run time, layer by layer, exactly the shapes (and parameter counts) it computed at compile time; every model it
/// rejects is really invalid, by an independent reference arithmetic and, where TorchSharp can say so, by TorchSharp.
/// </summary>
/// <remarks>
/// <c>LAYERDSL_PROPERTY_MODELS</c> sets the number of models (default 500); <c>LAYERDSL_PROPERTY_SEED</c> replays a
/// run (a fresh seed is drawn otherwise, and printed in the output and in every failure);
/// <c>LAYERDSL_PROPERTY_ONLY</c> (a model index) replays one model of that run.
/// </remarks>
public class ShapeInvariantPropertyTests
{
    public const string ModelsVariable = "LAYERDSL_PROPERTY_MODELS";
    public const string SeedVariable = "LAYERDSL_PROPERTY_SEED";
    public const string OnlyVariable = "LAYERDSL_PROPERTY_ONLY";

    private const int DefaultModels = 500;
    private const int ModelsPerCompilation = 50;
    private const int Batch = 2;

    /// <summary>
    /// An empty compilation with the harness's references and options: compilations derived from it share its
    /// reference symbols, which makes compiling each batch several times faster than creating it afresh.
    /// </summary>
    private static readonly Lazy<CSharpCompilation> Template = new(() => GeneratorHarness.CompileFiles());

    private readonly ITestOutputHelper _output;

    public ShapeInvariantPropertyTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void CompileTimeShapesEqualRunTimeShapesOnRandomModels()
    {
        var seed = Environment.GetEnvironmentVariable(SeedVariable) is { Length: > 0 } s ? int.Parse(s, CultureInfo.InvariantCulture) : Random.Shared.Next();
        var count = Environment.GetEnvironmentVariable(ModelsVariable) is { Length: > 0 } n ? int.Parse(n, CultureInfo.InvariantCulture) : DefaultModels;
        var indices = Environment.GetEnvironmentVariable(OnlyVariable) is { Length: > 0 } only
            ? new[] { int.Parse(only, CultureInfo.InvariantCulture) }
            : Enumerable.Range(0, count).ToArray();
        var replay = $"{SeedVariable}={seed} {ModelsVariable}={count}";
        _output.WriteLine($"Random models: {indices.Length}, seed {seed} (replay with {replay})");

        var stopwatch = Stopwatch.StartNew();
        var tally = new Tally();
        var failures = new List<string>();
        foreach (var chunk in indices.Chunk(ModelsPerCompilation))
        {
            var models = chunk.Select(i => RandomModels.Create(seed, i)).ToList();
            try
            {
                CheckBatch(models, tally, failures);
            }
            catch (Exception exception)
            {
                failures.Add($"models {chunk[0]}..{chunk[^1]}: {exception}");
            }
        }

        _output.WriteLine(
            $"Checked {tally.Models} models in {stopwatch.Elapsed.TotalSeconds:F1} s: {tally.Valid} accepted and run, {tally.TooLargeToRun} accepted but too large to run " +
            $"({tally.Layers} layer outputs compared), {tally.Invalid} rejected ({string.Join(", ", tally.Rejections.OrderBy(r => r.Key).Select(r => $"{r.Key} x{r.Value}"))}), " +
            $"{tally.RefusedByTorch} of the rejected also refused by TorchSharp; {failures.Count} disagreements. " +
            $"Time: generator {tally.Generate.Elapsed.TotalSeconds:F1} s, compile {tally.Emit.Elapsed.TotalSeconds:F1} s, forward passes {tally.Forward.Elapsed.TotalSeconds:F1} s (slowest: model #{tally.SlowestModel}, {tally.Slowest.TotalMilliseconds:F0} ms).");
        _output.WriteLine("Slowest model to run:\n" + tally.SlowestSource);
        Assert.True(
            failures.Count == 0,
            $"{failures.Count} disagreement(s) (seed {seed}; replay with {replay}, one model with {OnlyVariable}=<index>):\n\n" + string.Join("\n\n", failures.Take(10)));
    }

    private sealed class Tally
    {
        public int Models { get; set; }

        public int Valid { get; set; }

        public int Invalid { get; set; }

        public int Layers { get; set; }

        public int RefusedByTorch { get; set; }

        public int TooLargeToRun { get; set; }

        public Dictionary<string, int> Rejections { get; } = new();

        public Stopwatch Generate { get; } = new();

        public Stopwatch Emit { get; } = new();

        public Stopwatch Forward { get; } = new();

        public TimeSpan Slowest { get; set; }

        public int SlowestModel { get; set; }

        public string SlowestSource { get; set; } = string.Empty;
    }

    private static void CheckBatch(IReadOnlyList<RandomModel> models, Tally tally, List<string> failures)
    {
        var compilation = Template.Value.AddSyntaxTrees(
            models.Select(m => CSharpSyntaxTree.ParseText(m.Source, GeneratorHarness.ParseOptions, path: m.FileName)));
        // As a build with analyzers switched off: the generator reports every diagnostic itself. The analyzer, run on the
        // same output, must report exactly the same ones (ID, place, message): each build mode shows the same errors once.
        tally.Generate.Start();
        var run = GeneratorHarness.Run(compilation, GeneratorHarness.CreateDriver(analyzersRun: false));
        tally.Generate.Stop();

        var files = models.ToDictionary(m => m.FileName, m => m.Source);
        foreach (var diagnostic in run.GeneratorDiagnostics.Where(d => !d.Id.StartsWith("LDSL", StringComparison.Ordinal) || !SourceLocations.IsInFile(d.Location, files) || !d.Location.IsInSource))
        {
            failures.Add($"generator diagnostic without a source location in the user's file, or not LayerDsl's own: {diagnostic}");
        }

        var analyzerDiagnostics = run.AnalyzerDiagnostics.Where(d => d.Id.StartsWith("LDSL", StringComparison.Ordinal)).ToList();
        var fromGenerator = run.GeneratorDiagnostics.Select(d => d.ToString()).OrderBy(t => t, StringComparer.Ordinal).ToList();
        var fromAnalyzer = analyzerDiagnostics.Select(d => d.ToString()).OrderBy(t => t, StringComparer.Ordinal).ToList();
        if (!fromGenerator.SequenceEqual(fromAnalyzer))
        {
            failures.Add($"the generator (analyzers off) and the analyzer disagree:\n  generator: {string.Join("\n             ", fromGenerator)}\n  analyzer:  {string.Join("\n             ", fromAnalyzer)}");
        }

        // Emitting reports every compiler diagnostic (declarations and method bodies, warnings included), so the
        // compilation is bound once, here, and the image is loaded later only when some model was accepted.
        tally.Emit.Start();
        using var image = new MemoryStream();
        var emitted = run.Output.Emit(image);
        tally.Emit.Stop();
        var compilerErrors = emitted.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        foreach (var group in compilerErrors.GroupBy(d => d.Location.SourceTree?.FilePath ?? "(no file)"))
        {
            var model = models.FirstOrDefault(m => group.Key.EndsWith(m.ClassName + ".g.cs", StringComparison.Ordinal) || group.Key == m.FileName);
            failures.Add($"compiler diagnostics in {group.Key}:\n  {string.Join("\n  ", group)}\n{Describe(model)}");
        }

        var valid = new List<(RandomModel Model, ReferenceResult Reference)>();
        foreach (var model in models)
        {
            tally.Models++;
            var reference = ReferenceShapes.Infer(model);
            // Errors only: information (a convolution whose arguments look swapped) does not change what runs.
            var ids = analyzerDiagnostics
                .Where(d => d.Location.GetLineSpan().Path == model.FileName && d.Severity == DiagnosticSeverity.Error)
                .Select(d => d.Id)
                .OrderBy(id => id, StringComparer.Ordinal)
                .ToList();
            var expected = reference.ExpectedIds.OrderBy(id => id, StringComparer.Ordinal).ToList();
            if (!ids.SequenceEqual(expected))
            {
                var messages = analyzerDiagnostics.Where(d => d.Location.GetLineSpan().Path == model.FileName).Select(d => d.ToString());
                failures.Add(
                    $"generator reported [{string.Join(", ", ids)}] but the reference expects [{string.Join(", ", expected)}] ({reference.Reason})\n" +
                    $"  {string.Join("\n  ", messages)}\n{Describe(model)}");
                continue;
            }

            if (!reference.IsValid)
            {
                tally.Invalid++;
                foreach (var id in expected.Distinct())
                {
                    tally.Rejections[id] = tally.Rejections.GetValueOrDefault(id) + 1;
                }

                if (RefusedByTorch(model, reference) is { } refused)
                {
                    if (refused)
                    {
                        tally.RefusedByTorch++;
                    }
                    else
                    {
                        failures.Add($"rejected with {expected[0]} ({reference.Reason}), but TorchSharp accepts the failing layer when built by hand\n{Describe(model)}");
                    }
                }

                continue;
            }

            if (!run.GeneratedSources.ContainsKey(model.FullName + ".g.cs"))
            {
                failures.Add($"accepted, but no source was generated\n{Describe(model)}");
                continue;
            }

            if (reference.Parameters > 4 * RandomModels.MaxParameters || reference.MultiplyAdds > 4 * RandomModels.MaxMultiplyAdds)
            {
                // Accepted, but too large to run in milliseconds (rare: drawing retries first); compiled, not run.
                tally.TooLargeToRun++;
                continue;
            }

            valid.Add((model, reference));
        }

        if (valid.Count == 0 || !emitted.Success)
        {
            return;
        }

        tally.Forward.Start();
        using var loaded = CompiledModels.Load(image);
        foreach (var (model, reference) in valid)
        {
            tally.Valid++;
            tally.Layers += model.Layers.Count;
            var started = tally.Forward.Elapsed;
            if (RunModel(loaded, model, reference) is { } failure)
            {
                failures.Add(failure + "\n" + Describe(model));
            }

            if (tally.Forward.Elapsed - started is var took && took > tally.Slowest)
            {
                tally.Slowest = took;
                tally.SlowestModel = model.Index;
                tally.SlowestSource = model.Source;
            }
        }

        tally.Forward.Stop();
    }

    /// <summary>Runs one accepted model and compares every layer; returns the disagreement, if any.</summary>
    private static string? RunModel(CompiledModels loaded, RandomModel model, ReferenceResult reference)
    {
        using var scope = NewDisposeScope();
        var instance = loaded.Create(model.FullName);
        using var module = (nn.Module<Tensor, Tensor>)instance;
        var layerModel = (ILayerModel)instance;
        var info = layerModel.Info;
        module.eval();

        if (info.Layers.Count != model.Layers.Count)
        {
            return $"Info has {info.Layers.Count} layers, the model declares {model.Layers.Count}";
        }

        var problems = new List<string>();
        for (var i = 0; i < info.Layers.Count; i++)
        {
            if (!info.Layers[i].OutputShape.SequenceEqual(reference.Shapes[i]))
            {
                problems.Add($"layer {i} ({info.Layers[i].Description}): compile time [{Dims(info.Layers[i].OutputShape)}], reference [{Dims(reference.Shapes[i])}]");
            }

            if (info.Layers[i].Parameters != reference.LayerParameters[i])
            {
                problems.Add($"layer {i} ({info.Layers[i].Description}): compile time {info.Layers[i].Parameters} parameters, reference {reference.LayerParameters[i]}");
            }
        }

        var parameters = module.named_parameters().ToList();
        var total = parameters.Sum(p => p.parameter.numel());
        if (total != info.Parameters)
        {
            problems.Add($"TorchSharp has {total} parameters, Info says {info.Parameters}");
        }

        foreach (var layer in info.Layers)
        {
            var actual = parameters.Where(p => p.name.StartsWith(layer.Name + ".", StringComparison.Ordinal)).Sum(p => p.parameter.numel());
            if (actual != layer.Parameters)
            {
                problems.Add($"{layer.Name}: TorchSharp has {actual} parameters, Info says {layer.Parameters}");
            }
        }

        var input = randn(Batch, model.Channels, model.Height, model.Width);
        IReadOnlyList<Tensor> outputs;
        try
        {
            outputs = layerModel.ForwardTrace(input);
        }
        catch (Exception exception)
        {
            return $"ForwardTrace threw {exception.GetType().Name}: {exception.Message}" + (problems.Count > 0 ? "\n  " + string.Join("\n  ", problems) : string.Empty);
        }

        if (outputs.Count != info.Layers.Count)
        {
            problems.Add($"ForwardTrace returned {outputs.Count} outputs for {info.Layers.Count} layers");
        }

        for (var i = 0; i < Math.Min(outputs.Count, info.Layers.Count); i++)
        {
            var expected = new[] { (long)Batch }.Concat(info.Layers[i].OutputShape).ToArray();
            if (!outputs[i].shape.SequenceEqual(expected))
            {
                problems.Add($"layer {i} ({info.Layers[i].Name}: {info.Layers[i].Description}): run time [{Dims(outputs[i].shape)}], compile time [{Dims(expected)}]");
            }
        }

        return problems.Count == 0 ? null : string.Join("\n  ", problems);
    }

    /// <summary>
    /// Builds the failing layer by hand in TorchSharp on the shape it receives: true when TorchSharp refuses it,
    /// false when it accepts it, null when the fault is one TorchSharp cannot judge (an argument LayerDsl rejects by
    /// its own rules) or the tensor would be too large to try.
    /// </summary>
    private static bool? RefusedByTorch(RandomModel model, ReferenceResult reference)
    {
        if (reference.FailingLayer < 0 || reference.FailingInput is not { } shape || reference.ExpectedIds[0] is not ("LDSL0011" or "LDSL0012" or "LDSL0013"))
        {
            return null;
        }

        if (shape.Aggregate(1L, (a, b) => a * b) > 4_000_000)
        {
            return null;
        }

        var layer = model.Layers[reference.FailingLayer];
        using var scope = NewDisposeScope();
        var x = zeros(new[] { 1L }.Concat(shape).ToArray());
        try
        {
            switch (layer.Kind)
            {
                case RandomLayerKind.Conv2D:
                case RandomLayerKind.MaskedConv:
                    // MaskedConv's first step is the mask's own Conv2d with the same kernel, stride and padding.
                    var channels = shape.Length == 3 ? shape[0] : 1;
                    nn.functional.conv2d(x, zeros(1, channels, layer.Kernel, layer.Kernel), strides: new[] { layer.Stride, layer.Stride });
                    break;
                case RandomLayerKind.MaxPool2D:
                    nn.functional.max_pool2d(x, layer.Kernel, layer.Stride == 0 ? layer.Kernel : layer.Stride);
                    break;
                case RandomLayerKind.AvgPool2D:
                    nn.functional.avg_pool2d(x, layer.Kernel, layer.Stride == 0 ? layer.Kernel : layer.Stride);
                    break;
                case RandomLayerKind.Dense:
                    nn.functional.linear(x.flatten(1), zeros(layer.Size, layer.InFeatures));
                    break;
                default:
                    return null;
            }
        }
        catch (Exception)
        {
            return true;
        }

        return false;
    }

    private static string Describe(RandomModel? model) =>
        model is null ? string.Empty : $"model #{model.Index} (model seed {model.Seed}):\n{model.Source}";

    private static string Dims(IEnumerable<long> dims) => string.Join(", ", dims);
}
