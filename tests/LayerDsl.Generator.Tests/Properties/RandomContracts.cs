using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace LayerDsl.Generator.Tests.Properties;

/// <summary>A constructor parameter of a drawn module: it receives an input dimension, or an attribute argument, or its default.</summary>
public sealed record ContractParameter(string Name, bool ReceivesDimension, long? Default);

/// <summary>What the test's own evaluation of a contract says of one placement: the output and parameter count, or the fault.</summary>
/// <param name="Id">The diagnostic expected on the placing attribute; null when the placement is valid.</param>
/// <param name="Kind">The kind of fault, for the tallies (rank, input dimension, where, division by zero, dimension, params).</param>
/// <param name="Named">Text the diagnostic must contain: the failing expression, comparison or pattern.</param>
/// <param name="Output">The output shape without the batch, when valid.</param>
/// <param name="Parameters">The parameter count the <c>params</c> clause gives, when valid and stated.</param>
public sealed record ContractOutcome(string? Id, string Kind, string Named, long[] Output, long? Parameters)
{
    public bool IsValid => Id is null;
}

/// <summary>
/// One random model around a user layer: a module class with a random <c>[LayerShape]</c> contract (input rank 1 to 3,
/// sometimes with <c>...</c> and an extra leading dimension, output dimensions as random expressions over the bound
/// names and the constructor's parameters, sometimes <c>where</c> and <c>params</c>), a forward that honours it (or,
/// when <see cref="LiesAt"/> is set, gives one dimension too many), and a model
/// <c>[Input(...)][Layer&lt;Custom&gt;(args)][Flatten][Dense(3)]</c>.
/// </summary>
public sealed class RandomContract
{
    private static readonly string[] DimensionNames = { "C", "H", "W", "L", "F", "D", "T", "S" };
    private static readonly string[] ParameterNames = { "k", "s", "units", "filters", "pad", "g", "scale", "depth" };
    private static readonly string[] Operators = { "==", "!=", "<", "<=", ">", ">=" };

    private readonly Random _random;

    private RandomContract(int index, int seed)
    {
        Index = index;
        Seed = seed;
        _random = new Random(seed);
    }

    public int Index { get; }

    public int Seed { get; }

    /// <summary>The input pattern: a name or a fixed integer per dimension (null is <c>...</c>).</summary>
    public List<Term?> Input { get; } = new();

    /// <summary>The output pattern (null is <c>...</c>).</summary>
    public List<Term?> Output { get; } = new();

    public List<Comparison> Where { get; } = new();

    public Term? Params { get; private set; }

    /// <summary>The module's constructor parameters, in order.</summary>
    public List<ContractParameter> Parameters { get; } = new();

    /// <summary>The <c>Layer&lt;T&gt;</c> attribute's arguments, in order.</summary>
    public List<long> Arguments { get; } = new();

    /// <summary>The model's input shape, without the batch, in TorchSharp order.</summary>
    public long[] Shape { get; private set; } = Array.Empty<long>();

    /// <summary>The output dimension (an index into the output's non-<c>...</c> items) the module gets wrong by one, or null for an honest module.</summary>
    public int? LiesAt { get; private set; }

    public ContractOutcome Outcome { get; private set; } = null!;

    public string Namespace => $"Contracts{Index}";

    public string FileName => $"Contract{Index}.cs";

    public bool HasEllipsis => Input.Contains(null);

    public int FixedRank => Input.Count(i => i is not null);

    public string InputText => "[" + string.Join(", ", Input.Select(i => i?.Contract() ?? "...")) + "]";

    public string Text =>
        $"{InputText} -> [{string.Join(", ", Output.Select(o => o?.Contract() ?? "..."))}]" +
        (Where.Count > 0 ? " where " + string.Join(", ", Where.Select(w => w.Contract())) : string.Empty) +
        (Params is null ? string.Empty : " params " + Params.Contract());

    /// <summary>How the model places the layer, as its messages name it.</summary>
    public string Display => Arguments.Count == 0 ? "Layer<Custom>" : $"Layer<Custom>({string.Join(", ", Arguments.Select(Number))})";

    /// <summary>The declarations of this model: the module class and the model class, in their own namespace.</summary>
    public string Source { get; private set; } = string.Empty;

    /// <summary>
    /// Draws contract <paramref name="index"/> of a run: drawn again (continuing the same random sequence) until the
    /// placement is small enough to run in milliseconds; an invalid one is also drawn again more often than not, since
    /// random expressions fail about as often as they hold and the valid ones have more to check.
    /// </summary>
    public static RandomContract Create(int runSeed, int index)
    {
        var seed = RandomModels.ModelSeed(runSeed, index);
        var contract = new RandomContract(index, seed);
        do
        {
            contract.Draw();
        }
        while (!contract.Small() || (!contract.Outcome.IsValid && contract.Chance(0.6)));

        contract.Source = contract.Write();
        return contract;
    }

    private bool Chance(double p) => _random.NextDouble() < p;

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    private void Draw()
    {
        Input.Clear();
        Output.Clear();
        Where.Clear();
        Parameters.Clear();
        Arguments.Clear();
        LiesAt = null;

        // The input pattern: names, now and then a fixed integer, sometimes '...' in front of one or two dimensions.
        var fixedRank = _random.Next(1, 4);
        var ellipsis = fixedRank < 3 && Chance(0.3);
        var dimensions = DimensionNames.OrderBy(_ => _random.Next()).Take(fixedRank).ToList();
        var fixedAt = Chance(0.1) ? _random.Next(fixedRank) : -1;
        var fixedValue = (long)_random.Next(1, 9);
        if (ellipsis)
        {
            Input.Add(null);
        }

        var bound = new List<string>();
        for (var i = 0; i < fixedRank; i++)
        {
            if (i == fixedAt)
            {
                Input.Add(new NumberTerm(fixedValue));
            }
            else
            {
                Input.Add(new NameTerm(dimensions[i]));
                bound.Add(dimensions[i]);
            }
        }

        // The constructor: parameters from the attribute (the trailing ones sometimes with defaults), and some of the
        // bound dimensions, in random order (required ones before optional ones, as C# wants).
        var own = ParameterNames.OrderBy(_ => _random.Next()).Take(_random.Next(0, 4)).ToList();
        var optional = Chance(0.5) ? _random.Next(0, own.Count + 1) : 0;
        var required = own.Take(own.Count - optional).Select(n => new ContractParameter(n, false, null))
            .Concat(bound.Where(_ => Chance(0.4)).Select(n => new ContractParameter(n, true, null)))
            .OrderBy(_ => _random.Next());
        Parameters.AddRange(required);
        Parameters.AddRange(own.Skip(own.Count - optional).Select(n => new ContractParameter(n, false, Value())));
        var given = own.Count - optional + (optional > 0 && Chance(0.6) ? _random.Next(1, optional + 1) : 0);
        Arguments.AddRange(Enumerable.Range(0, given).Select(_ => Value()));

        var names = bound.Concat(own).ToList();
        var outputRank = _random.Next(1, 4);
        if (ellipsis && Chance(0.8))
        {
            Output.Add(null);
        }

        for (var i = 0; i < outputRank; i++)
        {
            Output.Add(Chance(0.2) && names.Count > 0 ? new NameTerm(Pick(names)) : Expression(names, _random.Next(1, 4)));
        }

        if (Chance(0.3))
        {
            var count = _random.Next(1, 3);
            for (var i = 0; i < count; i++)
            {
                Where.Add(new Comparison(Expression(names, _random.Next(0, 3)), Pick(Operators), Expression(names, _random.Next(0, 2))));
            }
        }

        Params = Chance(0.4) ? Expression(names, _random.Next(0, 3)) : null;

        // The model's input: of the contract's rank (plus what '...' takes), now and then of another rank.
        var rank = fixedRank + (ellipsis ? _random.Next(0, 4 - fixedRank) : 0);
        if (Chance(0.05))
        {
            rank = Pick(new[] { 1, 2, 3 }.Where(r => ellipsis ? r < fixedRank : r != fixedRank).DefaultIfEmpty(rank).ToList());
        }

        Shape = Enumerable.Range(0, rank).Select(_ => (long)_random.Next(1, 17)).ToArray();
        if (fixedAt >= 0 && rank >= fixedRank && Chance(0.8))
        {
            Shape[rank - fixedRank + fixedAt] = fixedValue;
        }

        Outcome = Evaluate();
        if (Outcome.IsValid && Chance(0.25))
        {
            LiesAt = _random.Next(Output.Count(o => o is not null));
        }
    }

    /// <summary>An attribute argument or a default: mostly small positive, now and then zero or negative.</summary>
    private long Value() => Chance(0.08) ? _random.Next(-2, 1) : _random.Next(1, 7);

    private Term Expression(IReadOnlyList<string> names, int depth)
    {
        if (depth == 0 || Chance(0.25))
        {
            return names.Count > 0 && Chance(0.7) ? new NameTerm(Pick(names)) : new NumberTerm(Chance(0.05) ? 0 : _random.Next(1, 6));
        }

        var roll = _random.Next(100);
        Term term = roll switch
        {
            < 25 => new BinaryTerm('+', Expression(names, depth - 1), Expression(names, depth - 1)),
            < 35 => new BinaryTerm('-', Expression(names, depth - 1), Expression(names, depth - 1)),
            < 55 => new BinaryTerm('*', Expression(names, depth - 1), Expression(names, depth - 1)),
            < 72 => new BinaryTerm('/', Expression(names, depth - 1), Expression(names, depth - 1)),
            < 80 => new BinaryTerm('%', Expression(names, depth - 1), Expression(names, depth - 1)),
            < 87 => new CallTerm("min", Expression(names, depth - 1), Expression(names, depth - 1)),
            < 95 => new CallTerm("max", Expression(names, depth - 1), Expression(names, depth - 1)),
            _ => new NegateTerm(Expression(names, depth - 1)),
        };
        return Chance(0.1) ? new ParenthesesTerm(term) : term;
    }

    /// <summary>
    /// The contract applied to the model's input by the test's own reading of the contract language: the rank must fit, a
    /// fixed input dimension must match, then each <c>where</c> must hold, each output dimension be positive and the
    /// parameter count non-negative, in that order; the first failure is the diagnostic.
    /// </summary>
    private ContractOutcome Evaluate()
    {
        var rankFits = HasEllipsis ? Shape.Length >= FixedRank : Shape.Length == FixedRank;
        if (!rankFits)
        {
            return new ContractOutcome("LDSL0032", "rank", InputText, Array.Empty<long>(), null);
        }

        var names = new Dictionary<string, long>();
        var arguments = new Queue<long>(Arguments);
        foreach (var parameter in Parameters.Where(p => !p.ReceivesDimension))
        {
            names[parameter.Name] = arguments.Count > 0 ? arguments.Dequeue() : parameter.Default!.Value;
        }

        var extra = Shape.Length - FixedRank;
        var leading = Shape.Take(extra).ToArray();
        foreach (var (item, dimension) in Input.Where(i => i is not null).Zip(Shape.Skip(extra)))
        {
            switch (item)
            {
                case NameTerm name:
                    names[name.Name] = dimension;
                    break;
                case NumberTerm number when number.Value != dimension:
                    return new ContractOutcome("LDSL0033", "input dimension", $"must be {number.Value}, but is {dimension}", Array.Empty<long>(), null);
            }
        }

        foreach (var comparison in Where)
        {
            if (Evaluates(comparison.Left, names) is false || Evaluates(comparison.Right, names) is false)
            {
                return new ContractOutcome("LDSL0033", "division by zero", comparison.Contract() + " cannot be evaluated", Array.Empty<long>(), null);
            }

            if (!comparison.Holds(names))
            {
                return new ContractOutcome("LDSL0033", "where", comparison.Contract() + " does not hold", Array.Empty<long>(), null);
            }
        }

        var output = new List<long>();
        foreach (var item in Output)
        {
            if (item is null)
            {
                output.AddRange(leading);
                continue;
            }

            if (!Evaluates(item, names))
            {
                return new ContractOutcome("LDSL0033", "division by zero", $"the output dimension {item.Contract()} cannot be evaluated", Array.Empty<long>(), null);
            }

            var value = item.Evaluate(names);
            if (value <= 0)
            {
                return new ContractOutcome("LDSL0033", "dimension", $"the output dimension {item.Contract()} = {Number(value)} is not positive", Array.Empty<long>(), null);
            }

            output.Add(value);
        }

        long? parameters = null;
        if (Params is not null)
        {
            if (!Evaluates(Params, names))
            {
                return new ContractOutcome("LDSL0033", "division by zero", "params count cannot be evaluated", Array.Empty<long>(), null);
            }

            parameters = Params.Evaluate(names);
            if (parameters < 0)
            {
                return new ContractOutcome("LDSL0033", "params", $"params count is negative ({Number(parameters.Value)})", Array.Empty<long>(), null);
            }
        }

        return new ContractOutcome(null, "valid", string.Empty, output.ToArray(), parameters);
    }

    private static bool Evaluates(Term term, IReadOnlyDictionary<string, long> names)
    {
        try
        {
            term.Evaluate(names);
            return true;
        }
        catch (DivideByZeroException)
        {
            return false;
        }
    }

    /// <summary>A valid placement whose output and parameters are small enough to run in milliseconds (invalid ones always are).</summary>
    private bool Small() =>
        !Outcome.IsValid
        || (Outcome.Output.All(d => d <= 4096) && Outcome.Output.Aggregate(1L, (a, b) => a * b) <= 20_000 && Outcome.Parameters is null or <= 100_000);

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The module honours its contract: its forward binds the contract's names from the input's shape at run time and
    /// from its constructor's arguments, computes every output dimension with the same expression in C#, and returns a
    /// tensor of that shape made from the sum of each sample (so the output depends on the input). With a <c>params</c>
    /// clause it holds a parameter of exactly that many values.
    /// </summary>
    private string Write()
    {
        var source = new StringBuilder();
        source.AppendLine("using LayerDsl;");
        source.AppendLine("using TorchSharp;");
        source.AppendLine("using static TorchSharp.torch;");
        source.AppendLine("using static LayerDsl.ContractProperty.FloorArithmetic;");
        source.AppendLine($"namespace {Namespace};");
        source.AppendLine();
        source.AppendLine($"[LayerShape(\"{Text}\")]");
        source.AppendLine("public sealed class Custom : nn.Module<Tensor, Tensor>");
        source.AppendLine("{");
        var own = Parameters.Where(p => !p.ReceivesDimension).ToList();
        foreach (var parameter in own)
        {
            source.AppendLine($"    private readonly long _{parameter.Name};");
        }

        var weights = Outcome.IsValid && Outcome.Parameters > 0;
        if (weights)
        {
            source.AppendLine("    private readonly TorchSharp.Modules.Parameter weight;");
        }

        var signature = string.Join(", ", Parameters.Select(p => $"long {p.Name}" + (p.Default is { } d ? $" = {Number(d)}" : string.Empty)));
        source.AppendLine($"    public Custom({signature}) : base(nameof(Custom))");
        source.AppendLine("    {");
        foreach (var parameter in own)
        {
            source.AppendLine($"        _{parameter.Name} = {parameter.Name};");
        }

        if (weights)
        {
            source.AppendLine($"        weight = new TorchSharp.Modules.Parameter(zeros({Number(Outcome.Parameters!.Value)}L));");
            source.AppendLine("        RegisterComponents();");
        }

        source.AppendLine("    }");
        source.AppendLine();
        source.AppendLine("    public override Tensor forward(Tensor x)");
        source.AppendLine("    {");
        source.AppendLine($"        var lead = x.shape.Length - 1 - {FixedRank};");
        foreach (var parameter in own)
        {
            source.AppendLine($"        var {parameter.Name} = _{parameter.Name};");
        }

        var axis = 0;
        foreach (var item in Input.Where(i => i is not null))
        {
            if (item is NameTerm name)
            {
                source.AppendLine($"        var {name.Name} = x.shape[1 + lead + {axis}];");
            }

            axis++;
        }

        source.AppendLine("        var shape = new System.Collections.Generic.List<long> { x.shape[0] };");
        foreach (var item in Output)
        {
            source.AppendLine(item is null ? "        shape.AddRange(x.shape[1..(1 + lead)]);" : $"        shape.Add({item.CSharp()});");
        }

        if (LiesAt is { } lie)
        {
            var ellipsisFirst = Output.Count > 0 && Output[0] is null;
            source.AppendLine($"        shape[{(ellipsisFirst ? "1 + lead + " : "1 + ")}{lie}] += 1;");
        }

        source.AppendLine("        var sums = x.reshape(x.shape[0], -1).sum(1);");
        source.AppendLine("        var view = new long[shape.Count];");
        source.AppendLine("        System.Array.Fill(view, 1L);");
        source.AppendLine("        view[0] = x.shape[0];");
        source.AppendLine("        return ones(shape.ToArray()) * sums.reshape(view);");
        source.AppendLine("    }");
        source.AppendLine("}");
        source.AppendLine();
        source.AppendLine($"[Input({string.Join(", ", AttributeOrder(Shape).Select(Number))})]");
        source.AppendLine(Arguments.Count == 0 ? "[Layer<Custom>]" : $"[Layer<Custom>({string.Join(", ", Arguments.Select(Number))})]");
        source.AppendLine("[Flatten]");
        source.AppendLine("[Dense(3)]");
        source.AppendLine("public partial class Net { }");
        return source.ToString();
    }

    /// <summary>The <c>[Input]</c> arguments for a TorchSharp-order shape: <c>(H, W, C)</c> for <c>[C, H, W]</c>, <c>(L, C)</c> for <c>[C, L]</c>.</summary>
    private static long[] AttributeOrder(long[] shape) => shape.Length == 1 ? shape : shape.Skip(1).Append(shape[0]).ToArray();

    /// <summary>The helpers every drawn module uses: the contract language's floor division and modulo.</summary>
    public const string FloorArithmeticSource = """
        namespace LayerDsl.ContractProperty;

        public static class FloorArithmetic
        {
            public static long FloorDiv(long a, long b) => (long)System.Math.Floor((double)a / b);

            public static long FloorMod(long a, long b) => a - (b * FloorDiv(a, b));
        }
        """;
}
