using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using LayerDsl.Generator.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace LayerDsl.Generator.Tests.Properties;

/// <summary>
/// LayerDsl's central invariant on random models: every model the generator accepts compiles, loads, and produces
/// at run time, layer by layer (the layers inside its blocks included), exactly the shapes and parameter counts it
/// computed at compile time, which are those of an independent reference arithmetic; every model it rejects is really
/// invalid, by the reference and, where TorchSharp can say so, by TorchSharp.
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
    internal static readonly Lazy<CSharpCompilation> Template = new(() => GeneratorHarness.CompileFiles());

    private readonly ITestOutputHelper _output;

    public ShapeInvariantPropertyTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void CompileTimeShapesEqualRunTimeShapesOnRandomModels()
    {
        var (seed, _, indices, replay) = PropertyRun.FromEnvironment(SeedVariable, ModelsVariable, DefaultModels, OnlyVariable);
        _output.WriteLine($"Random models: {indices.Length}, seed {seed} (replay with {replay})");

        var stopwatch = Stopwatch.StartNew();
        var tally = new Tally();
        var failures = new List<string>();
        foreach (var (chunk, batch) in indices.Chunk(ModelsPerCompilation).Select((c, b) => (c, b)))
        {
            tally.Draw.Start();
            var models = chunk.Select(i => RandomModels.Create(seed, i)).ToList();
            tally.Draw.Stop();
            try
            {
                CheckBatch(models, tally, failures, analyzeGeneratedCode: batch == 0);
            }
            catch (Exception exception)
            {
                failures.Add($"models {chunk[0]}..{chunk[^1]}: {exception}");
            }
        }

        _output.WriteLine(
            $"Checked {tally.Models} models in {stopwatch.Elapsed.TotalSeconds:F1} s: {tally.Valid} accepted and run, {tally.TooLargeToRun} accepted but too large to run " +
            $"({tally.Layers} layer outputs compared, {tally.InnerLayers} of them inside blocks), {tally.Invalid} rejected " +
            $"({string.Join(", ", tally.Rejections.OrderBy(r => r.Key).Select(r => $"{r.Key} x{r.Value}"))}), " +
            $"{tally.RefusedByTorch} of the rejected also refused by TorchSharp ({string.Join(", ", tally.Refusals.OrderBy(r => r.Key).Select(r => $"{r.Key} x{r.Value}"))}); {failures.Count} disagreements.");
        _output.WriteLine(
            $"Accepted and run: {tally.OneD} with 1-D inputs, {tally.Features} with feature inputs, {tally.WithBlocks} with blocks; placements nested {string.Join(", ", tally.Depths.OrderBy(d => d.Key).Select(d => $"{d.Key} deep x{d.Value}"))}; " +
            $"{tally.MultiShapeBlocks} blocks built for two shapes or more; {tally.Projections} projected residuals.");
        _output.WriteLine("Layer kinds in the accepted and run models: " + string.Join(", ", Enum.GetValues<RandomLayerKind>().Select(k => $"{k} {tally.Kinds.GetValueOrDefault(k)}")));
        _output.WriteLine("Faults drawn (models rejected / drawn): " + string.Join(", ", tally.Faults.OrderBy(f => f.Key).Select(f => $"{f.Key} {tally.FaultsRejected.GetValueOrDefault(f.Key)}/{f.Value}")));
        _output.WriteLine(
            $"Time: drawing models {tally.Draw.Elapsed.TotalSeconds:F1} s, generator {tally.Generate.Elapsed.TotalSeconds:F1} s, analyzer {tally.Analyze.Elapsed.TotalSeconds:F1} s, compile {tally.Emit.Elapsed.TotalSeconds:F1} s, " +
            $"forward passes {tally.Forward.Elapsed.TotalSeconds:F1} s (slowest: model #{tally.SlowestModel}, {tally.Slowest.TotalMilliseconds:F0} ms).");
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

        public int InnerLayers { get; set; }

        public int RefusedByTorch { get; set; }

        public int TooLargeToRun { get; set; }

        public int OneD { get; set; }

        public int Features { get; set; }

        public int WithBlocks { get; set; }

        public int MultiShapeBlocks { get; set; }

        public int Projections { get; set; }

        public Dictionary<string, int> Rejections { get; } = new();

        public Dictionary<string, int> Refusals { get; } = new();

        public Dictionary<int, int> Depths { get; } = new();

        public Dictionary<RandomLayerKind, int> Kinds { get; } = new();

        public Dictionary<RandomFault, int> Faults { get; } = new();

        public Dictionary<RandomFault, int> FaultsRejected { get; } = new();

        public Stopwatch Draw { get; } = new();

        public Stopwatch Generate { get; } = new();

        public Stopwatch Analyze { get; } = new();

        public Stopwatch Emit { get; } = new();

        public Stopwatch Forward { get; } = new();

        public TimeSpan Slowest { get; set; }

        public int SlowestModel { get; set; }

        public string SlowestSource { get; set; } = string.Empty;
    }

    /// <summary>
    /// Generates, analyzes, compiles and runs one batch. The analyzer sees the generated code in the first batch, as in a
    /// build; in the others it sees the user's declarations alone, which gives the same diagnostics (the random classes
    /// have no members of their own) for a tenth of the time: on the output it would bind every generated method body again.
    /// </summary>
    private static void CheckBatch(IReadOnlyList<RandomModel> models, Tally tally, List<string> failures, bool analyzeGeneratedCode)
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

        tally.Analyze.Start();
        var analyzed = analyzeGeneratedCode ? run.Output : run.Input;
        var analyzerDiagnostics = analyzed.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new ModelAnalyzer()))
            .GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult()
            .Where(d => d.Id.StartsWith("LDSL", StringComparison.Ordinal))
            .ToList();
        tally.Analyze.Stop();
        var fromGenerator = run.GeneratorDiagnostics.Select(d => d.ToString()).OrderBy(t => t, StringComparer.Ordinal).ToList();
        var fromAnalyzer = analyzerDiagnostics.Select(d => d.ToString()).OrderBy(t => t, StringComparer.Ordinal).ToList();
        if (!fromGenerator.SequenceEqual(fromAnalyzer))
        {
            failures.Add($"the generator (analyzers off) and the analyzer disagree:\n  generator: {string.Join("\n             ", fromGenerator.Except(fromAnalyzer))}\n  analyzer:  {string.Join("\n             ", fromAnalyzer.Except(fromGenerator))}");
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
            var model = models.FirstOrDefault(m => group.Key == m.FileName || group.Key.Contains("/" + m.Namespace + ".", StringComparison.Ordinal));
            failures.Add($"compiler diagnostics in {group.Key}:\n  {string.Join("\n  ", group)}\n{Describe(model)}");
        }

        var valid = new List<(RandomModel Model, ReferenceResult Reference)>();
        foreach (var model in models)
        {
            tally.Models++;
            tally.Faults[model.Fault] = tally.Faults.GetValueOrDefault(model.Fault) + 1;
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
                tally.FaultsRejected[model.Fault] = tally.FaultsRejected.GetValueOrDefault(model.Fault) + 1;
                foreach (var id in expected.Distinct())
                {
                    tally.Rejections[id] = tally.Rejections.GetValueOrDefault(id) + 1;
                }

                if (RefusedByTorch(reference.Failure) is { } refused)
                {
                    if (refused)
                    {
                        tally.RefusedByTorch++;
                        tally.Refusals[reference.Failure!.Id] = tally.Refusals.GetValueOrDefault(reference.Failure.Id) + 1;
                    }
                    else
                    {
                        failures.Add($"rejected with {reference.Failure!.Id} ({reference.Reason}), but TorchSharp accepts {reference.Failure.Layer} on [{Dims(reference.Failure.Input)}] when built by hand\n{Describe(model)}");
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
            tally.Layers += reference.Rows.Count;
            tally.InnerLayers += reference.Rows.Count(r => r.Name.Contains('.', StringComparison.Ordinal));
            tally.OneD += model.Input.Length == 2 ? 1 : 0;
            tally.Features += model.Input.Length == 1 ? 1 : 0;
            tally.WithBlocks += reference.Depth > 0 ? 1 : 0;
            tally.Depths[reference.Depth] = tally.Depths.GetValueOrDefault(reference.Depth) + 1;
            tally.MultiShapeBlocks += reference.BlockShapes.Count(b => b.Value > 1);
            tally.Projections += reference.Rows.Count(r => r.Role == "Projection");
            foreach (var kind in model.AllLayers.Select(l => l.Kind))
            {
                tally.Kinds[kind] = tally.Kinds.GetValueOrDefault(kind) + 1;
            }

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

    /// <summary>Runs one accepted model and compares every row of Info, inner layers included, with the reference and with TorchSharp; returns the disagreement, if any.</summary>
    private static string? RunModel(CompiledModels loaded, RandomModel model, ReferenceResult reference)
    {
        using var scope = NewDisposeScope();
        // Shapes only: no autograd graph, which would cost as much as the forward passes themselves.
        using var noGrad = no_grad();
        var instance = loaded.Create(model.FullName);
        using var module = (nn.Module<Tensor, Tensor>)instance;
        var layerModel = (ILayerModel)instance;
        var info = layerModel.Info;
        module.eval();

        var problems = new List<string>();
        if (info.Layers.Count != reference.Rows.Count)
        {
            problems.Add($"Info has {info.Layers.Count} layers ({string.Join(", ", info.Layers.Select(l => l.Name))}), the reference {reference.Rows.Count} ({string.Join(", ", reference.Rows.Select(r => r.Name))})");
        }

        for (var i = 0; i < Math.Min(info.Layers.Count, reference.Rows.Count); i++)
        {
            var (layer, row) = (info.Layers[i], reference.Rows[i]);
            if (layer.Name != row.Name || !layer.OutputShape.SequenceEqual(row.Shape) || layer.Parameters != row.Parameters)
            {
                problems.Add($"row {i}: compile time {layer.Name} ({layer.Description}) [{Dims(layer.OutputShape)}] {layer.Parameters} parameters, reference {row.Name} [{Dims(row.Shape)}] {row.Parameters} parameters");
            }
        }

        if (info.Parameters != reference.Parameters)
        {
            problems.Add($"Info has {info.Parameters} parameters, the reference {reference.Parameters}");
        }

        var parameters = module.named_parameters().ToList();
        var total = parameters.Sum(p => p.parameter.numel());
        if (total != info.Parameters)
        {
            problems.Add($"TorchSharp has {total} parameters, Info says {info.Parameters}");
        }

        foreach (var (layer, row) in info.Layers.Zip(reference.Rows))
        {
            // A residual's count includes its projection, the sibling field residual1Projection.
            var actual = parameters
                .Where(p => p.name.StartsWith(layer.Name + ".", StringComparison.Ordinal) || (row.Role == "Residual" && p.name.StartsWith(layer.Name + "Projection.", StringComparison.Ordinal)))
                .Sum(p => p.parameter.numel());
            if (actual != layer.Parameters)
            {
                problems.Add($"{layer.Name}: TorchSharp has {actual} parameters, Info says {layer.Parameters}");
            }
        }

        var input = randn(new[] { (long)Batch }.Concat(model.Input).ToArray());
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

        var forward = module.call(input);
        if (outputs.Count > 0 && !forward.shape.SequenceEqual(outputs[^1].shape))
        {
            problems.Add($"forward gives [{Dims(forward.shape)}], ForwardTrace's last output [{Dims(outputs[^1].shape)}]");
        }

        return problems.Count == 0 ? null : string.Join("\n  ", problems);
    }

    /// <summary>
    /// Builds the failing layer by hand in TorchSharp on the shape it receives (a batch of samples): true when TorchSharp
    /// refuses it, false when it accepts it, null when the fault is one TorchSharp cannot judge (an argument LayerDsl
    /// rejects by its own rules, a rank a functional pool or interpolation would reinterpret, a sum that broadcasts, a
    /// transposed convolution libtorch would abort on) or the tensor would be too large to try.
    /// </summary>
    private static bool? RefusedByTorch(ReferenceFailure? failure)
    {
        if (failure is null || failure.Input.Aggregate(1L, (a, b) => a * b) > 4_000_000
            || failure.Id is not ("LDSL0011" or "LDSL0012" or "LDSL0013" or "LDSL0024" or "LDSL0025" or "LDSL0027" or "LDSL0028"))
        {
            return null;
        }

        var layer = failure.Layer;
        var shape = failure.Input;
        // A batch size unlike the channel count, so that a 2-D convolution cannot take [N, C, L] for one unbatched image.
        long batch = shape[0] == 2 ? 3 : 2;
        var x = new[] { batch }.Concat(shape).ToArray();
        var channels = shape[0];
        using var scope = NewDisposeScope();
        try
        {
            var input = zeros(x);
            switch (failure.Id, layer.Kind)
            {
                case ("LDSL0024", _):
                    _ = input.add(zeros(new[] { batch }.Concat(failure.Outputs[1]).ToArray()));
                    return null;
                case ("LDSL0025", RandomLayerKind.Concat):
                    _ = cat(failure.Outputs.Select(o => zeros(new[] { batch }.Concat(o).ToArray())).ToList(), 1);
                    break;
                case ("LDSL0025", _):
                    _ = failure.Outputs.Skip(1).Aggregate(zeros(new[] { batch }.Concat(failure.Outputs[0]).ToArray()), (sum, o) => sum.add(zeros(new[] { batch }.Concat(o).ToArray())));
                    return null;
                case (_, RandomLayerKind.Conv2D or RandomLayerKind.DepthwiseConv2D or RandomLayerKind.MaskedConv):
                {
                    // MaskedConv's first step is the mask's own Conv2d with the same kernel, stride and padding.
                    var masked = layer.Kind == RandomLayerKind.MaskedConv;
                    var depthwise = layer.Kind == RandomLayerKind.DepthwiseConv2D;
                    var (sh, sw) = masked ? (layer.Stride, layer.Stride) : ReferenceShapes.Strides(layer);
                    var (ph, pw) = masked || layer.Padding == 1 ? (0L, 0L) : ReferenceShapes.Pads(layer);
                    var groups = depthwise ? channels : layer.Groups;
                    using var conv = nn.Conv2d(channels, groups, (layer.KernelHeight, masked ? layer.KernelHeight : ReferenceShapes.KernelWidth(layer)),
                        stride: (sh, sw), padding: (ph, pw), dilation: (masked ? 1 : layer.Dilation, masked ? 1 : layer.Dilation), groups: groups);
                    conv.call(input);
                    break;
                }

                case (_, RandomLayerKind.ConvTranspose2D):
                    // Not tried: on an output size below 1, libtorch's oneDNN kernel aborts the process instead of throwing.
                    return null;

                case (_, RandomLayerKind.Conv1D):
                {
                    using var conv = nn.Conv1d(channels, layer.Groups, layer.KernelHeight, stride: layer.Stride, padding: layer.Padding == 1 ? 0 : layer.Pad, dilation: layer.Dilation, groups: layer.Groups);
                    conv.call(input);
                    break;
                }

                case ("LDSL0011", RandomLayerKind.MaxPool2D or RandomLayerKind.AvgPool2D):
                {
                    var (sh, sw) = ReferenceShapes.PoolStrides(layer);
                    var kernel = new[] { layer.KernelHeight, ReferenceShapes.KernelWidth(layer) };
                    _ = layer.Kind == RandomLayerKind.MaxPool2D
                        ? nn.functional.max_pool2d(input, kernel, new[] { sh, sw })
                        : nn.functional.avg_pool2d(input, kernel, new[] { sh, sw });
                    break;
                }

                case ("LDSL0011", RandomLayerKind.MaxPool1D or RandomLayerKind.AvgPool1D):
                {
                    var stride = layer.Stride == 0 ? layer.KernelHeight : layer.Stride;
                    _ = layer.Kind == RandomLayerKind.MaxPool1D
                        ? nn.functional.max_pool1d(input, layer.KernelHeight, stride: stride)
                        : nn.functional.avg_pool1d(input, layer.KernelHeight, stride: stride);
                    break;
                }

                case (_, RandomLayerKind.Dense):
                    nn.functional.linear(input.flatten(1), zeros(layer.Size, layer.InFeatures));
                    break;
                case (_, RandomLayerKind.Reshape):
                    input.reshape(new[] { batch }.Concat(layer.Dims).ToArray());
                    break;
                case (_, RandomLayerKind.Permute):
                    input.permute(new[] { 0L }.Concat(layer.Dims.Select(a => a + 1)).ToArray());
                    break;
                case (_, RandomLayerKind.BatchNorm):
                {
                    using var norm = shape.Length == 3 ? (nn.Module<Tensor, Tensor>)nn.BatchNorm2d(channels) : nn.BatchNorm1d(channels);
                    norm.eval();
                    norm.call(input);
                    break;
                }

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
        model is null ? string.Empty : $"model #{model.Index} (model seed {model.Seed}, fault {model.Fault}):\n{model.Source}";

    private static string Dims(IEnumerable<long> dims) => string.Join(", ", dims);
}
