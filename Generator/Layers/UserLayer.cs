using System.Collections.Generic;
using System.Linq;
using LayerDsl.Generator.Contracts;
using LayerDsl.Generator.Helpers;
using LayerDsl.Generator.Models;

namespace LayerDsl.Generator.Layers;

/// <summary>A value the layer's constructor receives: a literal (C# and Python), or a dimension bound by the contract.</summary>
internal sealed record ConstructorValue(string Parameter, string Literal, long? Integer, string? BoundDimension, string PythonLiteral);

/// <summary>Why a user layer cannot be placed, found while reading it: a diagnostic ID and its message arguments.</summary>
internal sealed record UserLayerProblem(string Id, EquatableArray<string> Arguments);

/// <summary>
/// <c>[Layer&lt;T&gt;(args)]</c> (or an attribute deriving from it): a user's TorchSharp module placed by its shape contract
/// (<c>[LayerShape]</c> on <c>T</c>). The contract is checked against the neighbours at compile time, and the generated
/// model checks the module's output against it on every forward.
/// </summary>
internal sealed record UserLayer(
    string Display,
    int Index,
    string ModuleName,
    string TypeExpression,
    string ContractText,
    Contract? Contract,
    EquatableArray<ConstructorValue> Values,
    UserLayerProblem? Problem)
    : LayerSpec(Display, Index)
{
    public override string Kind => "Layer";

    public override string NamePrefix => CompositeLayer.CamelCase(ModuleName);

    public override string? ModuleType(Shape input) => TypeExpression;

    public override InputRanks Ranks => InputRanks.Any;

    public override LayerOutcome Infer(LayerInput input)
    {
        if (Problem is not null)
        {
            return LayerOutcome.Fail(new DiagnosticInfo(Problem.Id, At(), null, Problem.Arguments));
        }

        // The first clause that fits holds (pattern, constraints, positive outputs, parameters not negative); otherwise the
        // first clause that takes the rank says why, and when none does, the rank is the problem.
        DiagnosticInfo? first = null;
        foreach (var clause in Contract!.Clauses)
        {
            var outcome = InferClause(clause, input.Shape, input.ProducedBy);
            if (outcome.Error is null)
            {
                // A constructor parameter named like an input dimension of some clause must get it from the one that holds.
                return Unreceived(clause, input.Shape) is { } parameter
                    ? LayerOutcome.Fail(DiagnosticInfo.At(
                        DiagnosticIds.ContractArguments, At(), Display,
                        $"constructor parameter {parameter} of {PythonClass} receives the input dimension {parameter}, but the clause {clause.InputText} that holds for {input.Shape} does not bind it; name it in that clause's input pattern too, or rename the parameter"))
                    : outcome;
            }

            if (first is null || (first.Id == DiagnosticIds.ContractRankMismatch && outcome.Error.Id != DiagnosticIds.ContractRankMismatch))
            {
                first = outcome.Error;
            }
        }

        return LayerOutcome.Fail(first!);
    }

    private LayerOutcome InferClause(Contract contract, Shape shape, string producedBy)
    {
        var rankFits = contract.HasEllipsis ? shape.Rank >= contract.FixedRank : shape.Rank == contract.FixedRank;
        if (!rankFits)
        {
            var rank = contract.HasEllipsis ? $"rank {contract.FixedRank} or more" : $"rank {contract.FixedRank}";
            return LayerOutcome.Fail(DiagnosticInfo.At(DiagnosticIds.ContractRankMismatch, At(), Display, $"{contract.InputText} ({rank})", ContractText, shape.ToString(), producedBy));
        }

        if (!Bind(contract, shape, out var names, out var leading, out var mismatch))
        {
            return LayerOutcome.Fail(DiagnosticInfo.At(DiagnosticIds.ContractFails, At(), Display, Bindings(names), mismatch!));
        }

        foreach (var constraint in contract.Constraints)
        {
            var (left, problem) = ContractEvaluator.Evaluate(constraint.Left, names);
            var (right, rightProblem) = ContractEvaluator.Evaluate(constraint.Right, names);
            if ((problem ?? rightProblem) is { } failed)
            {
                return LayerOutcome.Fail(DiagnosticInfo.At(DiagnosticIds.ContractFails, At(), Display, Bindings(names), $"{constraint.Text} cannot be evaluated: {failed}"));
            }

            if (!ContractEvaluator.Compare(left!.Value, constraint.Operator, right!.Value))
            {
                return LayerOutcome.Fail(DiagnosticInfo.At(DiagnosticIds.ContractFails, At(), Display, Bindings(names), $"{constraint.Text} does not hold ({Format.Number(left.Value)} {constraint.Operator} {Format.Number(right.Value)})"));
            }
        }

        var output = new List<long>();
        foreach (var item in contract.Output)
        {
            if (item.IsEllipsis)
            {
                output.AddRange(leading);
                continue;
            }

            var (value, problem) = ContractEvaluator.Evaluate(item.Expr!, names);
            if (problem is not null || value <= 0)
            {
                return LayerOutcome.Fail(DiagnosticInfo.At(
                    DiagnosticIds.ContractFails, At(), Display, Bindings(names), problem is not null ? $"the output dimension {item.Text} cannot be evaluated: {problem}" : $"the output dimension {item.Text} = {Format.Number(value!.Value)} is not positive"));
            }

            output.Add(value!.Value);
        }

        long parameters = ParameterCount.Unknown;
        if (contract.Parameters is { } count)
        {
            var (value, problem) = ContractEvaluator.Evaluate(count, names);
            if (problem is not null || value < 0)
            {
                return LayerOutcome.Fail(DiagnosticInfo.At(
                    DiagnosticIds.ContractFails, At(), Display, Bindings(names), problem is not null ? $"its params count cannot be evaluated: {problem}" : $"its params count is negative ({Format.Number(value!.Value)})"));
            }

            parameters = value!.Value;
        }

        return LayerOutcome.Ok(Shape.Of(output.ToArray()), parameters);
    }

    /// <summary>The module's class name, for the Python twin.</summary>
    public string PythonClass { get; init; } = string.Empty;

    /// <summary>The Python source of the module's twin class (LayerDsl's own, the user's <c>PyTorchSource</c>, or a class that says how to give one).</summary>
    public string PythonSource { get; init; } = string.Empty;

    public override string EmitConstruction(Shape input, Shape output)
    {
        var names = BoundNames(input);
        var arguments = Values.Select(v => $"{Format.Identifier(v.Parameter)}: {(v.BoundDimension is { } dim ? Format.LongLiteral(names[dim]) : v.Literal)}");
        return $"new {TypeExpression}({string.Join(", ", arguments)})";
    }

    public override string PythonConstruction(LayerTrace trace)
    {
        var names = BoundNames(trace.Input);
        var arguments = Values.Select(v => $"{v.Parameter}={(v.BoundDimension is { } dim ? Py.Int(names[dim]) : v.PythonLiteral)}");
        return $"{PythonClass}({string.Join(", ", arguments)})";
    }

    public override IEnumerable<(string ClassName, string Source)> PythonClasses =>
        new[] { (PythonClass, PythonSource) }.Concat(PythonModules.UsedBy(PythonSource).Where(m => m.ClassName != PythonClass));

    public override void EmitOnnx(List<string> statements, LayerTrace trace) => OnnxCode.Module(statements, trace.Name);

    public override void EmitPython(List<string> statements, LayerTrace trace) => Py.Call(statements, trace.Name);

    /// <summary>The names the contract binds for this input: those of the clause that held at inference.</summary>
    private Dictionary<string, long> BoundNames(Shape input)
    {
        foreach (var clause in Contract!.Clauses)
        {
            if (InferClause(clause, input, string.Empty).Error is null && Bind(clause, input, out var names, out _, out _))
            {
                return names;
            }
        }

        return new Dictionary<string, long>();
    }

    /// <summary>The first constructor parameter that receives an input dimension <paramref name="clause"/> does not bind, or null.</summary>
    private string? Unreceived(Contract clause, Shape shape)
    {
        Bind(clause, shape, out var names, out _, out _);
        return Values.FirstOrDefault(v => v.BoundDimension is { } dimension && !names.ContainsKey(dimension))?.Parameter;
    }

    public override void EmitForward(List<string> statements, string name, Shape input, Shape output)
    {
        Call(statements, name);
        statements.Add($"global::LayerDsl.ShapeContract.Check(x, {Format.StringLiteral(name + " (" + Display + ")")}, {Format.StringLiteral(ContractText)}, {Dims(input)}, {Dims(output)});");
    }

    /// <summary>The input pattern's names bound to the shape (with the integer constructor arguments), the dimensions <c>...</c> stands for, or the mismatch.</summary>
    private bool Bind(Contract contract, Shape shape, out Dictionary<string, long> names, out List<long> leading, out string? mismatch)
    {
        names = new Dictionary<string, long>();
        leading = new List<long>();
        mismatch = null;
        foreach (var value in Values.Where(v => v.BoundDimension is null && v.Integer is not null))
        {
            names[value.Parameter] = value.Integer!.Value;
        }

        var extra = shape.Rank - contract.FixedRank;
        var axis = 0;
        foreach (var item in contract.Input)
        {
            if (item.IsEllipsis)
            {
                for (var i = 0; i < extra; i++)
                {
                    leading.Add(shape[axis++]);
                }

                continue;
            }

            var dim = shape[axis++];
            switch (item.Expr)
            {
                case NameExpr name when names.TryGetValue(name.Name, out var bound) && contract.InputNames.Count(n => n == name.Name) > 1 && bound != dim:
                    mismatch = $"'{name.Name}' appears twice in the input pattern, but the dimensions are {Format.Number(bound)} and {Format.Number(dim)}";
                    return false;
                case NameExpr name:
                    names[name.Name] = dim;
                    break;
                case NumberExpr number when number.Value != dim:
                    mismatch = $"input dimension {axis} must be {Format.Number(number.Value)}, but is {Format.Number(dim)}";
                    return false;
            }
        }

        return true;
    }

    private static string Bindings(Dictionary<string, long> names) =>
        string.Join(", ", names.Select(n => $"{n.Key} = {Format.Number(n.Value)}"));

    private static string Dims(Shape shape) => "new long[] { " + string.Join(", ", shape.Dims.Select(Format.LongLiteral)) + " }";
}
