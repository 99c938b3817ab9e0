using System.Collections.Generic;

namespace LayerDsl.Generator.Contracts;

/// <summary>Evaluates contract expressions over named values, in 64-bit integers with floor division and modulo.</summary>
internal static class ContractEvaluator
{
    /// <summary>The value, or null with why (a name without a value, division by zero, overflow).</summary>
    public static (long? Value, string? Problem) Evaluate(ContractExpr expr, IReadOnlyDictionary<string, long> names)
    {
        try
        {
            return (Eval(expr, names), null);
        }
        catch (EvaluationException exception)
        {
            return (null, exception.Message);
        }
        catch (System.OverflowException)
        {
            return (null, "the arithmetic overflows 64 bits");
        }
    }

    /// <summary>Every name the expression uses.</summary>
    public static IEnumerable<NameExpr> Names(ContractExpr expr)
    {
        switch (expr)
        {
            case NameExpr name:
                yield return name;
                break;
            case NegateExpr negate:
                foreach (var n in Names(negate.Operand))
                {
                    yield return n;
                }

                break;
            case BinaryExpr binary:
                foreach (var n in Names(binary.Left))
                {
                    yield return n;
                }

                foreach (var n in Names(binary.Right))
                {
                    yield return n;
                }

                break;
            case CallExpr call:
                foreach (var n in Names(call.First))
                {
                    yield return n;
                }

                foreach (var n in Names(call.Second))
                {
                    yield return n;
                }

                break;
        }
    }

    public static bool Compare(long left, string op, long right) => op switch
    {
        "==" => left == right,
        "!=" => left != right,
        "<" => left < right,
        "<=" => left <= right,
        ">" => left > right,
        _ => left >= right,
    };

    private static long Eval(ContractExpr expr, IReadOnlyDictionary<string, long> names) => expr switch
    {
        NumberExpr number => number.Value,
        NameExpr name => names.TryGetValue(name.Name, out var value) ? value : throw new EvaluationException($"'{name.Name}' has no value"),
        NegateExpr negate => checked(-Eval(negate.Operand, names)),
        BinaryExpr binary => Apply(binary.Operator, Eval(binary.Left, names), Eval(binary.Right, names)),
        CallExpr call => call.Function == "min"
            ? System.Math.Min(Eval(call.First, names), Eval(call.Second, names))
            : System.Math.Max(Eval(call.First, names), Eval(call.Second, names)),
        _ => throw new EvaluationException("an unknown expression"),
    };

    private static long Apply(char op, long a, long b)
    {
        switch (op)
        {
            case '+':
                return checked(a + b);
            case '-':
                return checked(a - b);
            case '*':
                return checked(a * b);
            default:
                if (b == 0)
                {
                    throw new EvaluationException("division by zero");
                }

                var quotient = a / b;
                var floor = (a % b != 0 && (a < 0) != (b < 0)) ? quotient - 1 : quotient;
                return op == '/' ? floor : a - (floor * b);
        }
    }

    private sealed class EvaluationException : System.Exception
    {
        public EvaluationException(string message)
            : base(message)
        {
        }
    }
}
