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
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace LayerDsl.Generator.Tests.Properties;

/// <summary>
/// User layers with random shape contracts, some with two clauses (<see cref="RandomContract"/>): the test's own
/// evaluation of each contract decides whether its placement is valid. A valid one compiles without a diagnostic, and
/// its honest module runs with the output shape, the neighbour's in-features and the parameter count the contract gives;
/// a lying module (one output dimension off by one) is caught on the first forward with a
/// <see cref="ShapeContractException"/> naming the layer, the contract and the three shapes. An invalid placement gets
/// one diagnostic on the placing attribute that names the failing expression (in the first batch, the same from the
/// generator with analyzers off and from the analyzer), and the generator never throws.
/// </summary>
/// <remarks>
/// <c>LAYERDSL_CONTRACT_MODELS</c> sets the number of contracts (default 200); <c>LAYERDSL_CONTRACT_SEED</c> replays a
/// run (a fresh seed is drawn otherwise, and printed in the output and in every failure);
/// <c>LAYERDSL_CONTRACT_ONLY</c> (an index) replays one contract of that run.
/// </remarks>
public class ContractPropertyTests
{
    public const string ModelsVariable = "LAYERDSL_CONTRACT_MODELS";
    public const string SeedVariable = "LAYERDSL_CONTRACT_SEED";
    public const string OnlyVariable = "LAYERDSL_CONTRACT_ONLY";

    private const int DefaultModels = 200;
    private const int ModelsPerCompilation = 100;
    private const int Batch = 2;

    /// <summary>The empty compilation every batch derives from, shared with <see cref="ShapeInvariantPropertyTests"/>.</summary>
    private static Lazy<CSharpCompilation> Template => ShapeInvariantPropertyTests.Template;

    private readonly ITestOutputHelper _output;

    public ContractPropertyTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void RandomContractsAreCheckedAtCompileTimeAndHonouredOrCaughtAtRunTime()
    {
        var (seed, _, indices, replay) = PropertyRun.FromEnvironment(SeedVariable, ModelsVariable, DefaultModels, OnlyVariable);
        _output.WriteLine($"Random contracts: {indices.Length}, seed {seed} (replay with {replay})");

        var stopwatch = Stopwatch.StartNew();
        var tally = new Tally();
        var failures = new List<string>();
        foreach (var (chunk, batch) in indices.Chunk(ModelsPerCompilation).Select((c, b) => (c, b)))
        {
            tally.Draw.Start();
            var contracts = chunk.Select(i => RandomContract.Create(seed, i)).ToList();
            tally.Draw.Stop();
            try
            {
                CheckBatch(contracts, tally, failures, analyze: batch == 0);
            }
            catch (Exception exception)
            {
                failures.Add($"contracts {chunk[0]}..{chunk[^1]}: {exception}");
            }
        }

        _output.WriteLine(
            $"Checked {tally.Drawn} contracts in {stopwatch.Elapsed.TotalSeconds:F1} s: {tally.Honest} accepted and honoured ({tally.BySecondClause} by their second clause), {tally.LyingCaught} lying modules caught of {tally.Lying}, " +
            $"{tally.Rejected} rejected ({string.Join(", ", tally.Rejections.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Key} x{r.Value}"))}); {failures.Count} disagreements.");
        _output.WriteLine(
            $"Drawn: {tally.WithAlternatives} with two clauses, {tally.WithEllipsis} with '...', {tally.WithWhere} with where, {tally.WithParams} with params, {tally.WithDefaults} with defaults, " +
            $"{tally.WithReceivedDimensions} whose constructor receives a dimension; operators in the output dimensions: " +
            string.Join(", ", tally.Operators.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key} x{o.Value}")) + ".");
        _output.WriteLine(
            $"Time: drawing {tally.Draw.Elapsed.TotalSeconds:F1} s, generator {tally.Generate.Elapsed.TotalSeconds:F1} s, analyzer (first batch) {tally.Analyze.Elapsed.TotalSeconds:F1} s, compile {tally.Emit.Elapsed.TotalSeconds:F1} s, " +
            $"forward passes {tally.Forward.Elapsed.TotalSeconds:F1} s.");
        Assert.True(
            failures.Count == 0,
            $"{failures.Count} disagreement(s) (seed {seed}; replay with {replay}, one contract with {OnlyVariable}=<index>):\n\n" + string.Join("\n\n", failures.Take(10)));
    }

    /// <summary>Generates (as a build with analyzers off, so the generator reports every diagnostic), compiles and runs one batch of models.</summary>
    private static void CheckBatch(IReadOnlyList<RandomContract> contracts, Tally tally, List<string> failures, bool analyze)
    {
        var compilation = Template.Value.AddSyntaxTrees(
            contracts.Select(c => CSharpSyntaxTree.ParseText(c.Source, GeneratorHarness.ParseOptions, path: c.FileName))
                .Append(CSharpSyntaxTree.ParseText(RandomContract.FloorArithmeticSource, GeneratorHarness.ParseOptions, path: "FloorArithmetic.cs")));
        tally.Generate.Start();
        var run = GeneratorHarness.Run(compilation, GeneratorHarness.CreateDriver(analyzersRun: false));
        tally.Generate.Stop();

        var files = contracts.ToDictionary(c => c.FileName, c => c.Source);
        foreach (var diagnostic in run.GeneratorDiagnostics.Where(d => !d.Id.StartsWith("LDSL", StringComparison.Ordinal) || !SourceLocations.IsInFile(d.Location, files)))
        {
            failures.Add($"generator diagnostic not LayerDsl's own, or not in the user's file: {diagnostic}");
        }

        // A build with analyzers reports the same diagnostics from the analyzer (ID, place, message); checked on the first
        // batch (it costs as much as generating), on the user's declarations alone, which give the same diagnostics.
        if (analyze)
        {
            CompareWithAnalyzer(run, tally, failures);
        }

        tally.Emit.Start();
        using var image = new MemoryStream();
        var emitted = run.Output.Emit(image);
        tally.Emit.Stop();
        foreach (var group in emitted.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).GroupBy(d => d.Location.SourceTree?.FilePath ?? "(no file)"))
        {
            var contract = contracts.FirstOrDefault(c => group.Key == c.FileName || group.Key.Contains("/" + c.Namespace + ".", StringComparison.Ordinal));
            failures.Add($"compiler diagnostics in {group.Key}:\n  {string.Join("\n  ", group)}\n{Describe(contract)}");
        }

        var accepted = new List<RandomContract>();
        foreach (var contract in contracts)
        {
            tally.Count(contract);
            var diagnostics = run.GeneratorDiagnostics.Where(d => d.Location.GetLineSpan().Path == contract.FileName).ToList();
            var outcome = contract.Outcome;
            if (outcome.IsValid)
            {
                if (diagnostics.Count > 0)
                {
                    failures.Add($"valid by the reference (output [{Dims(outcome.Output)}]), but the generator reported:\n  {string.Join("\n  ", diagnostics)}\n{Describe(contract)}");
                }
                else if (!run.GeneratedSources.ContainsKey(contract.Namespace + ".Net.g.cs"))
                {
                    failures.Add($"accepted, but no source was generated\n{Describe(contract)}");
                }
                else
                {
                    accepted.Add(contract);
                }

                continue;
            }

            tally.Rejected++;
            var key = $"{outcome.Id} {outcome.Kind}";
            tally.Rejections[key] = tally.Rejections.GetValueOrDefault(key) + 1;
            if (diagnostics.Count != 1)
            {
                failures.Add($"invalid by the reference ({outcome.Id}: {outcome.Named}), but the generator reported {diagnostics.Count} diagnostics:\n  {string.Join("\n  ", diagnostics)}\n{Describe(contract)}");
                continue;
            }

            var diagnostic = diagnostics[0];
            var message = diagnostic.GetMessage(CultureInfo.InvariantCulture);
            var line = contract.Source.Split('\n')[diagnostic.Location.GetLineSpan().StartLinePosition.Line];
            if (diagnostic.Id != outcome.Id || !message.Contains(outcome.Named, StringComparison.Ordinal) || !message.Contains(contract.Display, StringComparison.Ordinal)
                || !line.StartsWith("[Layer<Custom>", StringComparison.Ordinal))
            {
                failures.Add($"expected {outcome.Id} on the Layer<Custom> attribute naming \"{outcome.Named}\", but got {diagnostic} (on the line \"{line.TrimEnd()}\")\n{Describe(contract)}");
            }
        }

        if (accepted.Count == 0 || !emitted.Success)
        {
            return;
        }

        tally.Forward.Start();
        using var loaded = CompiledModels.Load(image);
        foreach (var contract in accepted)
        {
            if (Run(loaded, contract, tally) is { } failure)
            {
                failures.Add(failure + "\n" + Describe(contract));
            }
        }

        tally.Forward.Stop();
    }

    /// <summary>The analyzer, run on the batch's declarations, must report exactly the generator's diagnostics.</summary>
    private static void CompareWithAnalyzer(GeneratorRun run, Tally tally, List<string> failures)
    {
        tally.Analyze.Start();
        var fromAnalyzer = run.Input.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new ModelAnalyzer()))
            .GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult()
            .Where(d => d.Id.StartsWith("LDSL", StringComparison.Ordinal))
            .Select(d => d.ToString())
            .Order(StringComparer.Ordinal)
            .ToList();
        tally.Analyze.Stop();
        var fromGenerator = run.GeneratorDiagnostics.Select(d => d.ToString()).Order(StringComparer.Ordinal).ToList();
        if (!fromGenerator.SequenceEqual(fromAnalyzer))
        {
            failures.Add($"the generator (analyzers off) and the analyzer disagree:\n  generator: {string.Join("\n             ", fromGenerator.Except(fromAnalyzer))}\n  analyzer:  {string.Join("\n             ", fromAnalyzer.Except(fromGenerator))}");
        }
    }

    /// <summary>Creates the model and runs one forward: null when everything agrees with the reference, otherwise what did not.</summary>
    private static string? Run(CompiledModels loaded, RandomContract contract, Tally tally)
    {
        using var scope = NewDisposeScope();
        var model = (nn.Module<Tensor, Tensor>)loaded.Create(contract.Namespace + ".Net");
        var info = ((ILayerModel)model).Info;
        var expected = contract.Outcome.Output;
        var problems = new List<string>();
        if (!info.InputShape.SequenceEqual(contract.Shape))
        {
            problems.Add($"Info's input shape is [{Dims(info.InputShape)}], the reference's [{Dims(contract.Shape)}]");
        }

        if (!info.Layers[0].OutputShape.SequenceEqual(expected))
        {
            problems.Add($"Info's output shape of the layer is [{Dims(info.Layers[0].OutputShape)}], the contract's [{Dims(expected)}]");
        }

        var features = expected.Aggregate(1L, (a, b) => a * b);
        if (info.Layers[2].Parameters != (features * 3) + 3)
        {
            problems.Add($"the Dense after it has {info.Layers[2].Parameters} parameters, but {features} in-features give {(features * 3) + 3}");
        }

        var dense = model.named_parameters().Single(p => p.name == "dense1.weight").parameter;
        if (!dense.shape.SequenceEqual(new[] { 3L, features }))
        {
            problems.Add($"the Dense after it has weights [{Dims(dense.shape)}], but the contract gives {features} in-features");
        }

        var layerParameters = model.named_parameters().Where(p => p.name.StartsWith("custom1.", StringComparison.Ordinal)).Sum(p => p.parameter.numel());
        var stated = contract.Outcome.Parameters ?? -1;
        if (info.Layers[0].Parameters != stated || (stated >= 0 && layerParameters != stated))
        {
            problems.Add($"the layer's parameter count is {info.Layers[0].Parameters} in Info and {layerParameters} in the module; the contract's params gives {stated}");
        }

        var input = randn(new[] { (long)Batch }.Concat(contract.Shape).ToArray());
        if (contract.LiesAt is { } lie)
        {
            tally.Lying++;
            var actual = new[] { (long)Batch }.Concat(expected).ToArray();
            actual[1 + lie] += 1;
            var message =
                $"custom1 ({contract.Display}) broke its shape contract \"{contract.Text}\": for input [batch, {Dims(contract.Shape)}] it must give " +
                $"[batch, {Dims(expected)}], but gave [{Dims(actual)}]. Fix the module or its [LayerShape].";
            try
            {
                model.call(input);
                problems.Add("the lying module was not caught on the first forward");
            }
            catch (ShapeContractException exception) when (exception.Message == message)
            {
                tally.LyingCaught++;
            }
            catch (Exception exception)
            {
                problems.Add($"the lying module was caught with:\n  {exception.GetType().Name}: {exception.Message}\nbut the message should be:\n  {message}");
            }
        }
        else
        {
            var outputs = ((ILayerModel)model).ForwardTrace(input);
            var layer = new[] { (long)Batch }.Concat(expected).ToArray();
            if (!outputs[0].shape.SequenceEqual(layer))
            {
                problems.Add($"the layer gives [{Dims(outputs[0].shape)}] at run time, the contract [{Dims(layer)}]");
            }

            var output = model.call(input);
            if (!output.shape.SequenceEqual(new long[] { Batch, 3 }))
            {
                problems.Add($"the model gives [{Dims(output.shape)}]");
            }

            if (problems.Count == 0)
            {
                tally.Honest++;
                tally.BySecondClause += contract.Outcome.Clause;
            }
        }

        return problems.Count == 0 ? null : string.Join("\n  ", problems);
    }

    private static string Describe(RandomContract? contract) =>
        contract is null ? string.Empty : $"contract #{contract.Index} (seed {contract.Seed}), input [{Dims(contract.Shape)}]:\n{contract.Source}";

    private static string Dims(IEnumerable<long> dims) => string.Join(", ", dims.Select(d => d.ToString(CultureInfo.InvariantCulture)));

    private sealed class Tally
    {
        public int Drawn { get; private set; }

        public int Honest { get; set; }

        public int BySecondClause { get; set; }

        public int Lying { get; set; }

        public int LyingCaught { get; set; }

        public int Rejected { get; set; }

        public int WithAlternatives { get; private set; }

        public int WithEllipsis { get; private set; }

        public int WithWhere { get; private set; }

        public int WithParams { get; private set; }

        public int WithDefaults { get; private set; }

        public int WithReceivedDimensions { get; private set; }

        public Dictionary<string, int> Rejections { get; } = new();

        public Dictionary<string, int> Operators { get; } = new();

        public Stopwatch Draw { get; } = new();

        public Stopwatch Generate { get; } = new();

        public Stopwatch Analyze { get; } = new();

        public Stopwatch Emit { get; } = new();

        public Stopwatch Forward { get; } = new();

        public void Count(RandomContract contract)
        {
            Drawn++;
            WithAlternatives += contract.Clauses.Count > 1 ? 1 : 0;
            WithEllipsis += contract.Clauses.Any(c => c.HasEllipsis) ? 1 : 0;
            WithWhere += contract.Clauses.Any(c => c.Where.Count > 0) ? 1 : 0;
            WithParams += contract.Clauses.Any(c => c.Params is not null) ? 1 : 0;
            WithDefaults += contract.Parameters.Any(p => p.Default is not null) ? 1 : 0;
            WithReceivedDimensions += contract.Parameters.Any(p => p.ReceivesDimension) ? 1 : 0;
            foreach (var term in contract.Clauses.SelectMany(c => c.Output).OfType<Term>().SelectMany(Walk))
            {
                var name = term switch
                {
                    BinaryTerm binary => binary.Operator.ToString(),
                    CallTerm call => call.Function,
                    NegateTerm => "unary -",
                    ParenthesesTerm => "( )",
                    _ => null,
                };
                if (name is not null)
                {
                    Operators[name] = Operators.GetValueOrDefault(name) + 1;
                }
            }
        }

        private static IEnumerable<Term> Walk(Term term) => term switch
        {
            BinaryTerm binary => Walk(binary.Left).Concat(Walk(binary.Right)).Prepend(term),
            CallTerm call => Walk(call.First).Concat(Walk(call.Second)).Prepend(term),
            NegateTerm negate => Walk(negate.Operand).Prepend(term),
            ParenthesesTerm parentheses => Walk(parentheses.Inner).Prepend(term),
            _ => new[] { term },
        };
    }
}
