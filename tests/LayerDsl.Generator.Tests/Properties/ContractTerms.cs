using System;
using System.Collections.Generic;
using System.Globalization;

namespace LayerDsl.Generator.Tests.Properties;

/// <summary>
/// An expression of a drawn shape contract, held as a tree by the test itself: it evaluates the tree (independently of
/// the generator's parser and evaluator) and writes it both in the contract language, with the fewest parentheses its
/// precedence needs, and in C#, fully parenthesized, for the module that honours the contract.
/// </summary>
public abstract record Term
{
    /// <summary>Binding strength in the contract language: 1 for + and -, 2 for * / %, 3 for a negation, 4 for the rest.</summary>
    public abstract int Precedence { get; }

    /// <summary>The value over <paramref name="names"/>; throws <see cref="DivideByZeroException"/> on a division or modulo by zero.</summary>
    public abstract long Evaluate(IReadOnlyDictionary<string, long> names);

    /// <summary>The expression in the contract language.</summary>
    public abstract string Contract();

    /// <summary>The expression in C#, over locals named like the contract's names, with <c>FloorDiv</c> and <c>FloorMod</c>.</summary>
    public abstract string CSharp();

    /// <summary>Floor division, as the contract language defines <c>/</c> (C#'s <c>/</c> truncates towards zero).</summary>
    public static long FloorDiv(long a, long b)
    {
        if (b == 0)
        {
            throw new DivideByZeroException();
        }

        var quotient = Math.DivRem(a, b, out var remainder);
        return remainder != 0 && (remainder < 0) != (b < 0) ? quotient - 1 : quotient;
    }

    /// <summary>The modulo that goes with <see cref="FloorDiv"/>: its sign is the divisor's.</summary>
    public static long FloorMod(long a, long b) => a - (b * FloorDiv(a, b));
}

/// <summary>A non-negative integer literal.</summary>
public sealed record NumberTerm(long Value) : Term
{
    public override int Precedence => 4;

    public override long Evaluate(IReadOnlyDictionary<string, long> names) => Value;

    public override string Contract() => Value.ToString(CultureInfo.InvariantCulture);

    public override string CSharp() => Value.ToString(CultureInfo.InvariantCulture) + "L";
}

/// <summary>A bound input dimension or a constructor parameter.</summary>
public sealed record NameTerm(string Name) : Term
{
    public override int Precedence => 4;

    public override long Evaluate(IReadOnlyDictionary<string, long> names) => names[Name];

    public override string Contract() => Name;

    public override string CSharp() => Name;
}

/// <summary><c>-operand</c>.</summary>
public sealed record NegateTerm(Term Operand) : Term
{
    public override int Precedence => 3;

    public override long Evaluate(IReadOnlyDictionary<string, long> names) => -Operand.Evaluate(names);

    public override string Contract() => "-" + (Operand.Precedence < 3 ? $"({Operand.Contract()})" : Operand.Contract());

    public override string CSharp() => $"(-{Operand.CSharp()})";
}

/// <summary>Parentheses the precedence does not need, written anyway.</summary>
public sealed record ParenthesesTerm(Term Inner) : Term
{
    public override int Precedence => 4;

    public override long Evaluate(IReadOnlyDictionary<string, long> names) => Inner.Evaluate(names);

    public override string Contract() => $"({Inner.Contract()})";

    public override string CSharp() => Inner.CSharp();
}

/// <summary><c>left op right</c> for + - * / %, left-associative.</summary>
public sealed record BinaryTerm(char Operator, Term Left, Term Right) : Term
{
    public override int Precedence => Operator is '+' or '-' ? 1 : 2;

    public override long Evaluate(IReadOnlyDictionary<string, long> names)
    {
        var a = Left.Evaluate(names);
        var b = Right.Evaluate(names);
        return Operator switch
        {
            '+' => a + b,
            '-' => a - b,
            '*' => a * b,
            '/' => FloorDiv(a, b),
            _ => FloorMod(a, b),
        };
    }

    public override string Contract()
    {
        // Left-associative: the left operand needs parentheses only when it binds more loosely, the right one also
        // when it binds as strongly (a - (b - c), a * (b / c)).
        var left = Left.Precedence < Precedence ? $"({Left.Contract()})" : Left.Contract();
        var right = Right.Precedence <= Precedence ? $"({Right.Contract()})" : Right.Contract();
        return $"{left} {Operator} {right}";
    }

    public override string CSharp() => Operator switch
    {
        '/' => $"FloorDiv({Left.CSharp()}, {Right.CSharp()})",
        '%' => $"FloorMod({Left.CSharp()}, {Right.CSharp()})",
        _ => $"({Left.CSharp()} {Operator} {Right.CSharp()})",
    };
}

/// <summary><c>min(first, second)</c> or <c>max(first, second)</c>.</summary>
public sealed record CallTerm(string Function, Term First, Term Second) : Term
{
    public override int Precedence => 4;

    public override long Evaluate(IReadOnlyDictionary<string, long> names) =>
        Function == "min" ? Math.Min(First.Evaluate(names), Second.Evaluate(names)) : Math.Max(First.Evaluate(names), Second.Evaluate(names));

    public override string Contract() => $"{Function}({First.Contract()}, {Second.Contract()})";

    public override string CSharp() => $"global::System.Math.{(Function == "min" ? "Min" : "Max")}({First.CSharp()}, {Second.CSharp()})";
}

/// <summary>A <c>where</c> comparison.</summary>
public sealed record Comparison(Term Left, string Operator, Term Right)
{
    public string Contract() => $"{Left.Contract()} {Operator} {Right.Contract()}";

    public bool Holds(IReadOnlyDictionary<string, long> names)
    {
        var a = Left.Evaluate(names);
        var b = Right.Evaluate(names);
        return Operator switch
        {
            "==" => a == b,
            "!=" => a != b,
            "<" => a < b,
            "<=" => a <= b,
            ">" => a > b,
            _ => a >= b,
        };
    }
}
