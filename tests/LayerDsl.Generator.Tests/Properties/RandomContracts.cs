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
/// <param name="Kind">The kind of fault, for the tallies (rank, input dimension, where, division by zero, dimension, params, unbound).</param>
/// <param name="Named">Text the diagnostic must contain: the failing expression, comparison or pattern.</param>
/// <param name="Output">The output shape without the batch, when valid.</param>
/// <param name="Parameters">The parameter count the <c>params</c> clause gives, when valid and stated.</param>
/// <param name="Clause">The clause that holds, when valid.</param>
public sealed record ContractOutcome(string? Id, string Kind, string Named, long[] Output, long? Parameters, int Clause = 0)
{
    public bool IsValid => Id is null;

    public static ContractOutcome Fault(string id, string kind, string named) => new(id, kind, named, Array.Empty<long>(), null);
}

/// <summary>One clause of a drawn contract: <c>input -> output where ... params ...</c>.</summary>
public sealed class ContractClause
{
    /// <summary>The input pattern: a name or a fixed integer per dimension (null is <c>...</c>).</summary>
    public List<Term?> Input { get; } = new();

    /// <summary>The output pattern (null is <c>...</c>).</summary>
    public List<Term?> Output { get; } = new();

    public List<Comparison> Where { get; } = new();

    public Term? Params { get; set; }

    public bool HasEllipsis => Input.Contains(null);

    public int FixedRank => Input.Count(i => i is not null);

    /// <summary>The names the input pattern binds.</summary>
    public IEnumerable<string> Bound => Input.OfType<NameTerm>().Select(n => n.Name);

    public string InputText => "[" + string.Join(", ", Input.Select(i => i?.Contract() ?? "...")) + "]";

    public string Text =>
        $"{InputText} -> [{string.Join(", ", Output.Select(o => o?.Contract() ?? "..."))}]" +
        (Where.Count > 0 ? " where " + string.Join(", ", Where.Select(w => w.Contract())) : string.Empty) +
        (Params is null ? string.Empty : " params " + Params.Contract());
}

/// <summary>
/// One random model around a user layer: a module class with a random <c>[LayerShape]</c> contract (input rank 1 to 3,
/// sometimes with <c>...</c> and an extra leading dimension, output dimensions as random expressions over the bound
/// names and the constructor's parameters, sometimes <c>where</c> and <c>params</c>, sometimes a second clause after
/// <c>|</c>), a forward that honours it (or, when <see cref="LiesAt"/> is set, gives one dimension too many), and a
/// model <c>[Input(...)][Layer&lt;Custom&gt;(args)][Flatten][Dense(3)]</c>.
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

    /// <summary>The clauses, tried in order: the first that holds gives the output.</summary>
    public List<ContractClause> Clauses { get; } = new();

    /// <summary>The module's constructor parameters, in order.</summary>
    public List<ContractParameter> Parameters { get; } = new();

    /// <summary>The <c>Layer&lt;T&gt;</c> attribute's arguments, in order.</summary>
    public List<long> Arguments { get; } = new();

    /// <summary>The model's input shape, without the batch, in TorchSharp order.</summary>
    public long[] Shape { get; private set; } = Array.Empty<long>();

    /// <summary>The axis of the output (without the batch) the module gets wrong by one, or null for an honest module.</summary>
    public int? LiesAt { get; private set; }

    public ContractOutcome Outcome { get; private set; } = null!;

    public string Namespace => $"Contracts{Index}";

    public string FileName => $"Contract{Index}.cs";

    public string Text => string.Join(" | ", Clauses.Select(c => c.Text));

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
        Clauses.Clear();
        Parameters.Clear();
        Arguments.Clear();
        LiesAt = null;

        // The constructor's own parameters, from the attribute (the trailing ones sometimes with defaults).
        var own = ParameterNames.OrderBy(_ => _random.Next()).Take(_random.Next(0, 4)).ToList();
        var optional = Chance(0.5) ? _random.Next(0, own.Count + 1) : 0;

        // The input patterns: names, now and then a fixed integer, sometimes '...' in front; now and then a second clause.
        var patterns = Chance(0.25) ? 2 : 1;
        var fixedValues = new List<(int Clause, int Axis, long Value)>();
        for (var c = 0; c < patterns; c++)
        {
            var clause = new ContractClause();
            var fixedRank = _random.Next(1, 4);
            // A second clause often names its dimensions as the first does.
            var first = c > 0 && Chance(0.5) ? Clauses[0].Bound.ToList() : new List<string>();
            var dimensions = first.Concat(DimensionNames.Except(first).OrderBy(_ => _random.Next())).Take(fixedRank).ToList();
            var fixedAt = Chance(0.1) ? _random.Next(fixedRank) : -1;
            if (fixedRank < 3 && Chance(0.3))
            {
                clause.Input.Add(null);
            }

            for (var i = 0; i < fixedRank; i++)
            {
                if (i == fixedAt)
                {
                    var value = (long)_random.Next(1, 9);
                    clause.Input.Add(new NumberTerm(value));
                    fixedValues.Add((c, i, value));
                }
                else
                {
                    clause.Input.Add(new NameTerm(dimensions[i]));
                }
            }

            Clauses.Add(clause);
        }

        // The constructor receives some of the bound dimensions (of every clause, or of any), in
        // random order among the required parameters (required ones before optional ones, as C# wants).
        var receivable = Chance(0.5)
            ? Clauses.Skip(1).Aggregate(Clauses[0].Bound, (names, clause) => names.Intersect(clause.Bound))
            : Clauses.SelectMany(c => c.Bound).Distinct();
        var required = own.Take(own.Count - optional).Select(n => new ContractParameter(n, false, null))
            .Concat(receivable.ToList().Where(_ => Chance(0.4)).Select(n => new ContractParameter(n, true, null)))
            .OrderBy(_ => _random.Next());
        Parameters.AddRange(required);
        Parameters.AddRange(own.Skip(own.Count - optional).Select(n => new ContractParameter(n, false, Value())));
        var given = own.Count - optional + (optional > 0 && Chance(0.6) ? _random.Next(1, optional + 1) : 0);
        Arguments.AddRange(Enumerable.Range(0, given).Select(_ => Value()));

        foreach (var clause in Clauses)
        {
            var names = clause.Bound.Concat(own).ToList();
            var outputRank = _random.Next(1, 4);
            if (clause.HasEllipsis && Chance(0.8))
            {
                clause.Output.Add(null);
            }

            for (var i = 0; i < outputRank; i++)
            {
                clause.Output.Add(Chance(0.2) && names.Count > 0 ? new NameTerm(Pick(names)) : Expression(names, _random.Next(1, 4)));
            }

            if (Chance(Clauses.Count > 1 ? 0.5 : 0.3))
            {
                var count = _random.Next(1, 3);
                for (var i = 0; i < count; i++)
                {
                    clause.Where.Add(new Comparison(Expression(names, _random.Next(0, 3)), Pick(Operators), Expression(names, _random.Next(0, 2))));
                }
            }

            clause.Params = Chance(0.4) ? Expression(names, _random.Next(0, 3)) : null;
        }

        // The model's input: of one clause's rank (plus what '...' takes), now and then of another rank.
        var target = _random.Next(Clauses.Count);
        var aim = Clauses[target];
        var rank = aim.FixedRank + (aim.HasEllipsis ? _random.Next(0, 4 - aim.FixedRank) : 0);
        if (Chance(0.05))
        {
            rank = _random.Next(1, 4);
        }

        Shape = Enumerable.Range(0, rank).Select(_ => (long)_random.Next(1, 17)).ToArray();
        foreach (var (_, axis, value) in fixedValues.Where(f => f.Clause == target))
        {
            if (rank >= aim.FixedRank && Chance(0.8))
            {
                Shape[rank - aim.FixedRank + axis] = value;
            }
        }

        Outcome = Evaluate();
        if (Outcome.IsValid && Chance(0.25))
        {
            // One of the holding clause's own output expressions, past what '...' stands for.
            var clause = Clauses[Outcome.Clause];
            var expressions = clause.Output.Count(o => o is not null);
            LiesAt = Outcome.Output.Length - expressions + _random.Next(expressions);
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
    /// The contract applied to the model's input by the test's own reading of the contract language. A clause holds when
    /// its rank fits, its fixed input dimensions match, each <c>where</c> holds, each output dimension is positive and the
    /// parameter count non-negative (checked in that order); the first clause that holds gives the output, and the
    /// constructor's dimensions must all be bound by it. When none holds, the first clause's fault is reported, unless it
    /// is only the rank and a later clause that takes the rank says why it does not hold.
    /// </summary>
    private ContractOutcome Evaluate()
    {
        var faults = new List<ContractOutcome>();
        for (var c = 0; c < Clauses.Count; c++)
        {
            var outcome = Evaluate(Clauses[c]) with { Clause = c };
            if (outcome.IsValid)
            {
                var bound = Clauses[c].Bound.ToHashSet();
                return Parameters.FirstOrDefault(p => p.ReceivesDimension && !bound.Contains(p.Name)) is { } unbound
                    ? ContractOutcome.Fault("LDSL0034", "unbound", $"constructor parameter {unbound.Name} of Custom receives the input dimension {unbound.Name}, but the clause {Clauses[c].InputText} that holds")
                    : outcome;
            }

            faults.Add(outcome);
        }

        return faults.FirstOrDefault(f => f.Kind != "rank") ?? faults[0];
    }

    private ContractOutcome Evaluate(ContractClause clause)
    {
        var rankFits = clause.HasEllipsis ? Shape.Length >= clause.FixedRank : Shape.Length == clause.FixedRank;
        if (!rankFits)
        {
            return ContractOutcome.Fault("LDSL0032", "rank", clause.InputText);
        }

        var names = new Dictionary<string, long>();
        var arguments = new Queue<long>(Arguments);
        foreach (var parameter in Parameters.Where(p => !p.ReceivesDimension))
        {
            names[parameter.Name] = arguments.Count > 0 ? arguments.Dequeue() : parameter.Default!.Value;
        }

        var extra = Shape.Length - clause.FixedRank;
        var leading = Shape.Take(extra).ToArray();
        foreach (var (item, dimension) in clause.Input.Where(i => i is not null).Zip(Shape.Skip(extra)))
        {
            switch (item)
            {
                case NameTerm name:
                    names[name.Name] = dimension;
                    break;
                case NumberTerm number when number.Value != dimension:
                    return ContractOutcome.Fault("LDSL0033", "input dimension", $"must be {number.Value}, but is {dimension}");
            }
        }

        foreach (var comparison in clause.Where)
        {
            if (!Evaluates(comparison.Left, names) || !Evaluates(comparison.Right, names))
            {
                return ContractOutcome.Fault("LDSL0033", "division by zero", comparison.Contract() + " cannot be evaluated");
            }

            if (!comparison.Holds(names))
            {
                return ContractOutcome.Fault("LDSL0033", "where", comparison.Contract() + " does not hold");
            }
        }

        var output = new List<long>();
        foreach (var item in clause.Output)
        {
            if (item is null)
            {
                output.AddRange(leading);
                continue;
            }

            if (!Evaluates(item, names))
            {
                return ContractOutcome.Fault("LDSL0033", "division by zero", $"the output dimension {item.Contract()} cannot be evaluated");
            }

            var value = item.Evaluate(names);
            if (value <= 0)
            {
                return ContractOutcome.Fault("LDSL0033", "dimension", $"the output dimension {item.Contract()} = {Number(value)} is not positive");
            }

            output.Add(value);
        }

        long? parameters = null;
        if (clause.Params is not null)
        {
            if (!Evaluates(clause.Params, names))
            {
                return ContractOutcome.Fault("LDSL0033", "division by zero", "params count cannot be evaluated");
            }

            parameters = clause.Params.Evaluate(names);
            if (parameters < 0)
            {
                return ContractOutcome.Fault("LDSL0033", "params", $"params count is negative ({Number(parameters.Value)})");
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
    /// The module honours its contract: a method per clause binds the clause's names from the input's shape at run time
    /// and from the constructor's arguments, checks the clause as the contract language reads it, and computes every
    /// output dimension with the same expression in C#; the forward takes the first clause that holds and returns a
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
        source.AppendLine($"        var shape = {string.Join(" ?? ", Clauses.Select((_, c) => $"Clause{c}(x)"))} ?? throw new System.ArgumentException(\"no clause holds\");");
        source.AppendLine("        var sums = x.reshape(x.shape[0], -1).sum(1);");
        source.AppendLine("        var view = new long[shape.Length];");
        source.AppendLine("        System.Array.Fill(view, 1L);");
        source.AppendLine("        view[0] = x.shape[0];");
        source.AppendLine("        return ones(shape) * sums.reshape(view);");
        source.AppendLine("    }");
        for (var c = 0; c < Clauses.Count; c++)
        {
            WriteClause(source, c, own);
        }

        source.AppendLine("}");
        source.AppendLine();
        source.AppendLine($"[Input({string.Join(", ", AttributeOrder(Shape).Select(Number))})]");
        source.AppendLine(Arguments.Count == 0 ? "[Layer<Custom>]" : $"[Layer<Custom>({string.Join(", ", Arguments.Select(Number))})]");
        source.AppendLine("[Flatten]");
        source.AppendLine("[Dense(3)]");
        source.AppendLine("public partial class Net { }");
        return source.ToString();
    }

    /// <summary>
    /// <c>ClauseN(x)</c>: the output shape (with the batch) clause <paramref name="index"/> gives for <c>x</c>, or null when
    /// it does not hold. Every test goes through a variable, so that no condition is a C# constant, and comparisons
    /// through <c>Compare</c>, so that C# does not warn about comparing a name with itself.
    /// </summary>
    private void WriteClause(StringBuilder source, int index, IReadOnlyList<ContractParameter> own)
    {
        var clause = Clauses[index];
        source.AppendLine();
        source.AppendLine($"    private long[]? Clause{index}(Tensor x)");
        source.AppendLine("    {");
        source.AppendLine($"        var lead = x.shape.Length - 1 - {clause.FixedRank};");
        source.AppendLine(clause.HasEllipsis ? "        if (lead < 0) return null;" : "        if (lead != 0) return null;");
        foreach (var parameter in own)
        {
            source.AppendLine($"        var {parameter.Name} = _{parameter.Name};");
        }

        var axis = 0;
        foreach (var item in clause.Input.Where(i => i is not null))
        {
            source.AppendLine(item is NameTerm name
                ? $"        var {name.Name} = x.shape[1 + lead + {axis}];"
                : $"        if (x.shape[1 + lead + {axis}] != {item!.CSharp()}) return null;");
            axis++;
        }

        source.AppendLine("        var shape = new System.Collections.Generic.List<long> { x.shape[0] };");
        source.AppendLine("        try");
        source.AppendLine("        {");
        var variable = 0;
        foreach (var comparison in clause.Where)
        {
            source.AppendLine($"            var holds{variable} = Compare({comparison.Left.CSharp()}, {comparison.Right.CSharp()}) {comparison.Operator} 0;");
            source.AppendLine($"            if (!holds{variable++}) return null;");
        }

        foreach (var item in clause.Output)
        {
            if (item is null)
            {
                source.AppendLine("            shape.AddRange(x.shape[1..(1 + lead)]);");
                continue;
            }

            source.AppendLine($"            var dimension{variable} = {item.CSharp()};");
            source.AppendLine($"            if (dimension{variable} <= 0) return null;");
            source.AppendLine($"            shape.Add(dimension{variable++});");
        }

        if (clause.Params is not null)
        {
            source.AppendLine($"            var count = {clause.Params.CSharp()};");
            source.AppendLine("            if (count < 0) return null;");
        }

        source.AppendLine("        }");
        source.AppendLine("        catch (System.DivideByZeroException)");
        source.AppendLine("        {");
        source.AppendLine("            return null;");
        source.AppendLine("        }");
        source.AppendLine();
        if (LiesAt is { } lie && Outcome.Clause == index)
        {
            source.AppendLine($"        shape[{1 + lie}] += 1;");
        }

        source.AppendLine("        return shape.ToArray();");
        source.AppendLine("    }");
    }

    /// <summary>The <c>[Input]</c> arguments for a TorchSharp-order shape: <c>(H, W, C)</c> for <c>[C, H, W]</c>, <c>(L, C)</c> for <c>[C, L]</c>.</summary>
    private static long[] AttributeOrder(long[] shape) => shape.Length == 1 ? shape : shape.Skip(1).Append(shape[0]).ToArray();

    /// <summary>The helpers every drawn module uses: the contract language's floor division and modulo, and a comparison.</summary>
    public const string FloorArithmeticSource = """
        namespace LayerDsl.ContractProperty;

        public static class FloorArithmetic
        {
            public static long FloorDiv(long a, long b) => b == 0 ? throw new System.DivideByZeroException() : (long)System.Math.Floor((double)a / b);

            public static long FloorMod(long a, long b) => a - (b * FloorDiv(a, b));

            public static int Compare(long a, long b) => a.CompareTo(b);
        }
        """;
}
