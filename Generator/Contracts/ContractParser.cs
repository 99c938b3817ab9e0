using System.Collections.Generic;
using LayerDsl.Generator.Helpers;

namespace LayerDsl.Generator.Contracts;

/// <summary>
/// Reads a shape contract: <c>[C, H, W] -> [F, (H - k) / s + 1, ...] where H >= k, C % g == 0 params F * C * k * k + F</c>.
/// A small recursive-descent parser over a hand-written tokenizer; every error says where and what was expected.
/// </summary>
internal sealed class ContractParser
{
    private static readonly string[] Comparisons = { "==", "!=", "<=", ">=", "<", ">" };

    private readonly string text;
    private readonly List<Token> tokens;
    private int position;

    private ContractParser(string text, List<Token> tokens)
    {
        this.text = text;
        this.tokens = tokens;
    }

    private Token Current => tokens[position];

    /// <summary>The contract, or the first error.</summary>
    public static (Contract? Contract, ContractError? Error) Parse(string text)
    {
        var (tokens, error) = Tokenize(text);
        if (error is not null)
        {
            return (null, error);
        }

        try
        {
            return (new ContractParser(text, tokens!).ParseContract(), null);
        }
        catch (ContractSyntaxException exception)
        {
            return (null, exception.Error);
        }
    }

    private Contract ParseContract()
    {
        var inputStart = Current.Offset;
        var input = ParsePattern(isInput: true);
        var inputText = text.Substring(inputStart, tokens[position - 1].Offset + 1 - inputStart);
        Expect("->", "'->' between the input and the output pattern");
        var output = ParsePattern(isInput: false);
        var constraints = new List<Constraint>();
        ContractExpr? parameters = null;
        if (Current.Text == "where")
        {
            do
            {
                position++;
                var start = Current.Offset;
                var left = ParseExpression();
                if (System.Array.IndexOf(Comparisons, Current.Text) < 0)
                {
                    throw Error(Current, "a comparison (==, !=, <, <=, >, >=)");
                }

                var op = Current.Text;
                position++;
                var right = ParseExpression();
                var end = tokens[position - 1].Offset + tokens[position - 1].Text.Length;
                constraints.Add(new Constraint(left, op, right, text.Substring(start, end - start)));
            }
            while (Current.Text == ",");
        }

        if (Current.Text == "params")
        {
            position++;
            parameters = ParseExpression();
        }

        var clause = new Contract(input, output, constraints.ToEquatableArray(), parameters, inputText);
        if (Current.Text == "|")
        {
            position++;
            return clause with { Next = ParseContract() };
        }

        if (Current.Kind != TokenKind.End)
        {
            throw Error(Current, constraints.Count == 0 && parameters is null ? "'where', 'params', '|' or the end" : parameters is null ? "',', 'params', '|' or the end" : "'|' or the end");
        }

        return clause;
    }

    private EquatableArray<PatternItem> ParsePattern(bool isInput)
    {
        Expect("[", "'[' opening the " + (isInput ? "input" : "output") + " pattern");
        var items = new List<PatternItem>();
        if (Current.Text != "]")
        {
            do
            {
                if (items.Count > 0)
                {
                    position++;
                }

                if (Current.Text == "...")
                {
                    if (items.Exists(i => i.IsEllipsis))
                    {
                        throw Error(Current, "at most one '...' per pattern");
                    }

                    items.Add(new PatternItem(true, null, "..."));
                    position++;
                }
                else if (isInput)
                {
                    var token = Current;
                    if (token.Kind == TokenKind.Name && !IsKeyword(token.Text))
                    {
                        items.Add(new PatternItem(false, new NameExpr(token.Offset, token.Text), token.Text));
                    }
                    else if (token.Kind == TokenKind.Number)
                    {
                        items.Add(new PatternItem(false, new NumberExpr(token.Offset, token.Value), token.Text));
                    }
                    else
                    {
                        throw Error(token, "a dimension name, an integer or '...'");
                    }

                    position++;
                }
                else
                {
                    var start = Current.Offset;
                    var expression = ParseExpression();
                    var end = tokens[position - 1].Offset + tokens[position - 1].Text.Length;
                    items.Add(new PatternItem(false, expression, text.Substring(start, end - start)));
                }
            }
            while (Current.Text == ",");
        }

        Expect("]", "',' or ']' closing the " + (isInput ? "input" : "output") + " pattern");
        return items.ToEquatableArray();
    }

    private ContractExpr ParseExpression()
    {
        var left = ParseTerm();
        while (Current.Text is "+" or "-")
        {
            var op = Current;
            position++;
            left = new BinaryExpr(op.Offset, op.Text[0], left, ParseTerm());
        }

        return left;
    }

    private ContractExpr ParseTerm()
    {
        var left = ParseUnary();
        while (Current.Text is "*" or "/" or "%")
        {
            var op = Current;
            position++;
            left = new BinaryExpr(op.Offset, op.Text[0], left, ParseUnary());
        }

        return left;
    }

    private ContractExpr ParseUnary()
    {
        if (Current.Text == "-")
        {
            var minus = Current;
            position++;
            return new NegateExpr(minus.Offset, ParseUnary());
        }

        return ParsePrimary();
    }

    private ContractExpr ParsePrimary()
    {
        var token = Current;
        switch (token.Kind)
        {
            case TokenKind.Number:
                position++;
                return new NumberExpr(token.Offset, token.Value);
            case TokenKind.Name when token.Text is "min" or "max":
                position++;
                Expect("(", $"'(' after {token.Text}");
                var first = ParseExpression();
                Expect(",", $"',' between the two arguments of {token.Text}");
                var second = ParseExpression();
                Expect(")", $"')' closing {token.Text}(...)");
                return new CallExpr(token.Offset, token.Text, first, second);
            case TokenKind.Name when !IsKeyword(token.Text):
                position++;
                return new NameExpr(token.Offset, token.Text);
            case TokenKind.Symbol when token.Text == "(":
                position++;
                var inner = ParseExpression();
                Expect(")", "')'");
                return inner;
            default:
                throw Error(token, "a number, a name, min(...), max(...) or '('");
        }
    }

    private void Expect(string symbol, string what)
    {
        if (Current.Text != symbol)
        {
            throw Error(Current, what);
        }

        position++;
    }

    private ContractSyntaxException Error(Token token, string expected) =>
        new(new ContractError(
            token.Offset,
            System.Math.Max(token.Text.Length, 1),
            token.Kind == TokenKind.End ? $"expected {expected}, but the contract ends" : $"expected {expected}, but found '{token.Text}'"));

    private static bool IsKeyword(string name) => name is "where" or "params" or "min" or "max";

    private static (List<Token>? Tokens, ContractError? Error) Tokenize(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (char.IsDigit(c))
            {
                var start = i;
                while (i < text.Length && char.IsDigit(text[i]))
                {
                    i++;
                }

                if (!long.TryParse(text.Substring(start, i - start), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value))
                {
                    return (null, new ContractError(start, i - start, "the number is too large"));
                }

                tokens.Add(new Token(TokenKind.Number, text.Substring(start, i - start), start, value));
            }
            else if (char.IsLetter(c) || c == '_')
            {
                var start = i;
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }

                tokens.Add(new Token(TokenKind.Name, text.Substring(start, i - start), start, 0));
            }
            else
            {
                var symbol = Symbol(text, i);
                if (symbol is null)
                {
                    return (null, new ContractError(i, 1, $"'{c}' is not part of the contract language (names, integers, + - * / %, min, max, parentheses, comparisons, | between alternatives)"));
                }

                tokens.Add(new Token(TokenKind.Symbol, symbol, i, 0));
                i += symbol.Length;
            }
        }

        tokens.Add(new Token(TokenKind.End, string.Empty, text.Length, 0));
        return (tokens, null);
    }

    private static string? Symbol(string text, int i)
    {
        foreach (var symbol in new[] { "...", "->", "==", "!=", "<=", ">=", "<", ">", "[", "]", "(", ")", ",", "+", "-", "*", "/", "%", "|" })
        {
            if (string.CompareOrdinal(text, i, symbol, 0, symbol.Length) == 0)
            {
                return symbol;
            }
        }

        return null;
    }

    private enum TokenKind
    {
        Number,
        Name,
        Symbol,
        End,
    }

    private readonly struct Token
    {
        public Token(TokenKind kind, string text, int offset, long value)
        {
            Kind = kind;
            Text = text;
            Offset = offset;
            Value = value;
        }

        public TokenKind Kind { get; }

        public string Text { get; }

        public int Offset { get; }

        public long Value { get; }
    }

    private sealed class ContractSyntaxException : System.Exception
    {
        public ContractSyntaxException(ContractError error)
            : base(error.Message) => Error = error;

        public ContractError Error { get; }
    }
}
