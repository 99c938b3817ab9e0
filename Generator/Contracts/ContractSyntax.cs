using System.Linq;
using LayerDsl.Generator.Helpers;

namespace LayerDsl.Generator.Contracts;

/// <summary>An expression of a shape contract, with where it starts in the contract text (for messages).</summary>
internal abstract record ContractExpr(int Offset);

/// <summary>An integer.</summary>
internal sealed record NumberExpr(int Offset, long Value) : ContractExpr(Offset);

/// <summary>A name: an input dimension or a constructor parameter.</summary>
internal sealed record NameExpr(int Offset, string Name) : ContractExpr(Offset);

/// <summary><c>-e</c>.</summary>
internal sealed record NegateExpr(int Offset, ContractExpr Operand) : ContractExpr(Offset);

/// <summary><c>a op b</c> for <c>+ - * / %</c> (floor division and modulo).</summary>
internal sealed record BinaryExpr(int Offset, char Operator, ContractExpr Left, ContractExpr Right) : ContractExpr(Offset);

/// <summary><c>min(a, b)</c> or <c>max(a, b)</c>.</summary>
internal sealed record CallExpr(int Offset, string Function, ContractExpr First, ContractExpr Second) : ContractExpr(Offset);

/// <summary>One dimension of a pattern: <c>...</c>, or an expression (in the input pattern, a name or an integer).</summary>
internal sealed record PatternItem(bool IsEllipsis, ContractExpr? Expr, string Text);

/// <summary>A <c>where</c> constraint: <c>left op right</c>, with its text for messages.</summary>
internal sealed record Constraint(ContractExpr Left, string Operator, ContractExpr Right, string Text);

/// <summary>
/// A parsed shape contract: one clause, and the alternatives after it (<c>|</c>): the first clause whose input pattern and
/// constraints fit the input is the one that holds.
/// </summary>
internal sealed record Contract(
    EquatableArray<PatternItem> Input,
    EquatableArray<PatternItem> Output,
    EquatableArray<Constraint> Constraints,
    ContractExpr? Parameters,
    string InputText)
{
    /// <summary>The next alternative, if any.</summary>
    public Contract? Next { get; init; }

    /// <summary>This clause and its alternatives, in order.</summary>
    public System.Collections.Generic.IEnumerable<Contract> Clauses
    {
        get
        {
            for (var clause = this; clause is not null; clause = clause.Next)
            {
                yield return clause;
            }
        }
    }

    /// <summary>The names this clause's input pattern binds, in order.</summary>
    public EquatableArray<string> InputNames => Input.Where(i => i.Expr is NameExpr).Select(i => ((NameExpr)i.Expr!).Name).ToEquatableArray();

    /// <summary>The names any clause's input pattern binds.</summary>
    public EquatableArray<string> AllInputNames => Clauses.SelectMany(c => c.InputNames).Distinct().ToEquatableArray();

    public bool HasEllipsis => Input.Any(i => i.IsEllipsis);

    /// <summary>The fixed dimensions around <c>...</c>.</summary>
    public int FixedRank => Input.Count(i => !i.IsEllipsis);
}

/// <summary>Why a contract cannot be read: where (offset and length in the text) and what was expected.</summary>
internal sealed record ContractError(int Offset, int Length, string Message);
