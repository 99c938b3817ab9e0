using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using LayerDsl.Generator.Contracts;
using LayerDsl.Generator.Helpers;
using LayerDsl.Generator.Models;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LayerDsl.Generator.Layers;

/// <summary>
/// Reads a <c>[Layer&lt;T&gt;(...)]</c> (or an attribute deriving from it) and the module type <c>T</c>: its contract, and which
/// constructor takes which value. Roslyn-facing, like the parser; the <see cref="UserLayer"/> it makes holds plain values.
/// </summary>
internal static class UserLayerReader
{
    public const string LayerAttributeOfT = "LayerDsl.LayerAttribute`1";
    public const string LayerShapeAttribute = "LayerDsl.LayerShapeAttribute";
    private const string ModuleBase = "TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>";

    /// <summary>The module type of a user-layer attribute, or null when the attribute is not one.</summary>
    public static ITypeSymbol? ModuleOf(INamedTypeSymbol? attributeClass)
    {
        for (var type = attributeClass; type is not null; type = type.BaseType)
        {
            if (type.IsGenericType && FullName(type.OriginalDefinition) == LayerAttributeOfT)
            {
                return type.TypeArguments[0];
            }
        }

        return null;
    }

    public static UserLayer Read(AttributeData attribute, string display, int index)
    {
        var module = ModuleOf(attribute.AttributeClass)!;

        // Named after the module for Layer<T>, after the attribute for one built on it ([LSTM] gives lstm1).
        var attributeName = attribute.AttributeClass!.Name;
        var name = attribute.AttributeClass.IsGenericType
            ? module.Name
            : attributeName.EndsWith("Attribute", System.StringComparison.Ordinal) ? attributeName.Substring(0, attributeName.Length - "Attribute".Length) : attributeName;
        var typeName = module.Name;
        UserLayer Failed(string id, params string[] arguments) =>
            new(display, index, name.Length == 0 ? "layer" : name, "object", string.Empty, null, EquatableArray<ConstructorValue>.Empty, new UserLayerProblem(id, arguments.ToEquatableArray()));

        if (module is not INamedTypeSymbol type || type.TypeKind != TypeKind.Class || type.IsAbstract || type.IsUnboundGenericType)
        {
            return Failed(DiagnosticIds.NotAContractLayer, display, $"{module.ToDisplayString()} is not a class that can be created; place a non-abstract Module<Tensor, Tensor> with a [LayerShape]");
        }

        if (!DerivesFrom(type, ModuleBase))
        {
            return Failed(DiagnosticIds.NotAContractLayer, display, $"{typeName} is not a Module<Tensor, Tensor>; a layer takes one tensor and returns one");
        }

        if (ContractText(type) is not { } text)
        {
            return Failed(DiagnosticIds.NotAContractLayer, display, $"{typeName} has no [LayerShape(\"...\")] contract; add one that states its input and output shapes, for example [LayerShape(\"[C, H, W] -> [filters, H, W]\")]");
        }

        var (contract, error) = ContractParser.Parse(text);
        var inSource = !type.DeclaringSyntaxReferences.IsEmpty;
        if (error is not null)
        {
            return inSource
                ? Failed(DiagnosticIds.BlockHasErrors, display, typeName)
                : Failed(DiagnosticIds.MalformedContract, typeName, Format.Number(error.Offset + 1), error.Message);
        }

        var (values, problem) = Bind(type, contract!, attribute, display);
        if (problem is not null)
        {
            return Failed(DiagnosticIds.ContractArguments, display, problem);
        }

        if (UnknownNames(contract!, values!).FirstOrDefault() is { } unknown)
        {
            return inSource ? Failed(DiagnosticIds.BlockHasErrors, display, typeName) : Failed(DiagnosticIds.UnknownContractName, typeName, unknown.Name);
        }

        var typeExpression = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        return new UserLayer(display, index, name, typeExpression, text, contract, values!.ToEquatableArray(), null)
        {
            PythonClass = type.Name,
            PythonSource = typeExpression.StartsWith("global::LayerDsl.Modules.", System.StringComparison.Ordinal) ? PythonModules.Get(type.Name).Source : UserPythonSource(type),
        };
    }

    /// <summary>
    /// The diagnostics of a module type's own <c>[LayerShape]</c>: a contract that cannot be read, or names a value it does
    /// not have, located inside the string.
    /// </summary>
    /// <summary>
    /// A user module's PyTorch twin: the value of its <c>const string PyTorchSource</c>, or a class that says how to give
    /// one when the twin constructs it.
    /// </summary>
    private static string UserPythonSource(INamedTypeSymbol type)
    {
        foreach (var member in type.GetMembers("PyTorchSource"))
        {
            if (member is IFieldSymbol { IsConst: true, ConstantValue: string source })
            {
                return source.Replace("\r\n", "\n").Trim('\n') + "\n";
            }
        }

        return PythonModules.Missing(type.Name,
            $"{type.Name} is your own layer and has no PyTorch twin: give {type.Name} a public const string PyTorchSource holding a Python class {type.Name}(nn.Module) " +
            "that takes the C# constructor's arguments by name and has the same state-dict keys; the model's twin then includes it");
    }

    public static IEnumerable<DiagnosticInfo> ContractDiagnostics(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        var shape = type.GetAttributes().FirstOrDefault(a => FullName(a.AttributeClass) == LayerShapeAttribute);
        if (shape is null || ContractText(type) is not { } text)
        {
            yield break;
        }

        var literal = (shape.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax)?.ArgumentList?.Arguments.FirstOrDefault()?.Expression;
        var (contract, error) = ContractParser.Parse(text);
        if (error is not null)
        {
            yield return DiagnosticInfo.AtLocation(DiagnosticIds.MalformedContract, Within(literal, text, error.Offset, error.Length), type.Name, Format.Number(error.Offset + 1), error.Message);
            yield break;
        }

        var integers = new HashSet<string>(type.InstanceConstructors.SelectMany(c => c.Parameters).Where(p => IsContractValue(p.Type)).Select(p => p.Name));
        foreach (var name in Used(contract!).Where(n => !contract!.AllInputNames.Contains(n.Name) && !integers.Contains(n.Name)).GroupBy(n => n.Name).Select(g => g.First()))
        {
            yield return DiagnosticInfo.AtLocation(DiagnosticIds.UnknownContractName, Within(literal, text, name.Offset, name.Name.Length), type.Name, name.Name);
        }
    }

    /// <summary>The contract string of a type's <c>[LayerShape]</c>, or null.</summary>
    public static string? ContractText(INamedTypeSymbol type) =>
        type.GetAttributes().FirstOrDefault(a => FullName(a.AttributeClass) == LayerShapeAttribute) is { ConstructorArguments: { Length: 1 } arguments } && arguments[0].Value is string text
            ? text
            : null;

    /// <summary>Which constructor takes which value: the first public constructor every parameter of which gets one.</summary>
    private static (List<ConstructorValue>? Values, string? Problem) Bind(INamedTypeSymbol type, Contract contract, AttributeData attribute, string display)
    {
        var (positional, named) = Arguments(attribute);
        var constructors = type.InstanceConstructors.Where(c => c.DeclaredAccessibility == Accessibility.Public).OrderByDescending(c => c.Parameters.Length).ToList();
        if (constructors.Count == 0)
        {
            return (null, $"{type.Name} has no public constructor");
        }

        string? firstProblem = null;
        foreach (var constructor in constructors)
        {
            var (values, problem) = TryBind(type, constructor, contract, positional, named);
            if (problem is null)
            {
                return (values, null);
            }

            firstProblem ??= problem;
        }

        return (null, firstProblem);
    }

    private static (List<ConstructorValue>? Values, string? Problem) TryBind(
        INamedTypeSymbol type, IMethodSymbol constructor, Contract contract, List<TypedConstant> positional, Dictionary<string, TypedConstant> named)
    {
        var values = new List<ConstructorValue>();
        var next = 0;
        var used = new HashSet<string>();
        foreach (var parameter in constructor.Parameters)
        {
            if (contract.AllInputNames.Contains(parameter.Name))
            {
                if (!IsInteger(parameter.Type))
                {
                    return (null, $"constructor parameter {parameter.Name} of {type.Name} receives the input dimension {parameter.Name}, so it must be long or int, not {parameter.Type.ToDisplayString()}");
                }

                values.Add(new ConstructorValue(parameter.Name, string.Empty, null, parameter.Name, string.Empty));
                continue;
            }

            var key = named.Keys.FirstOrDefault(k => string.Equals(k, parameter.Name, System.StringComparison.OrdinalIgnoreCase));
            TypedConstant? argument = key is not null ? named[key] : next < positional.Count ? positional[next++] : null;
            if (key is not null)
            {
                used.Add(key);
            }

            if (argument is { } given)
            {
                if (Literal(given, parameter.Type) is not { } literal)
                {
                    return (null, $"{Describe(given)} does not fit constructor parameter {parameter.Name} ({parameter.Type.ToDisplayString()}) of {type.Name}");
                }

                values.Add(new ConstructorValue(parameter.Name, literal.Text, literal.Integer, null, literal.Python));
            }
            else if (parameter.HasExplicitDefaultValue)
            {
                if (IsInteger(parameter.Type) && parameter.ExplicitDefaultValue is { } value)
                {
                    var number = System.Convert.ToInt64(value, CultureInfo.InvariantCulture);
                    values.Add(new ConstructorValue(parameter.Name, Literal(number, parameter.Type), number, null, Py.Int(number)));
                }
            }
            else
            {
                return (null, $"constructor parameter {parameter.Name} ({parameter.Type.ToDisplayString()}) of {type.Name} gets no value: add it to the arguments, or name it in the input pattern to receive a dimension");
            }
        }

        if (next < positional.Count)
        {
            var takers = constructor.Parameters.Where(p => !contract.AllInputNames.Contains(p.Name)).Select(p => p.Name).ToList();
            return (null, $"{positional.Count} arguments given, but the constructor of {type.Name} takes {takers.Count} besides the dimensions it receives ({(takers.Count == 0 ? "none" : string.Join(", ", takers))})");
        }

        if (named.Keys.FirstOrDefault(k => !used.Contains(k)) is { } unmatched)
        {
            return (null, $"{unmatched} matches no constructor parameter of {type.Name}");
        }

        return (values, null);
    }

    /// <summary>The values the attribute passes: <c>Layer&lt;T&gt;(a, b)</c> positionally; a derived attribute's constructor arguments and properties by name.</summary>
    private static (List<TypedConstant> Positional, Dictionary<string, TypedConstant> Named) Arguments(AttributeData attribute)
    {
        var positional = new List<TypedConstant>();
        var named = new Dictionary<string, TypedConstant>(System.StringComparer.OrdinalIgnoreCase);
        if (attribute.AttributeClass is { IsGenericType: true } direct && FullName(direct.OriginalDefinition) == LayerAttributeOfT)
        {
            foreach (var argument in attribute.ConstructorArguments)
            {
                if (argument.Kind == TypedConstantKind.Array)
                {
                    positional.AddRange(argument.Values);
                }
                else
                {
                    positional.Add(argument);
                }
            }
        }
        else if (attribute.AttributeConstructor is { } constructor)
        {
            for (var i = 0; i < attribute.ConstructorArguments.Length && i < constructor.Parameters.Length; i++)
            {
                named[constructor.Parameters[i].Name] = attribute.ConstructorArguments[i];
            }
        }

        foreach (var argument in attribute.NamedArguments)
        {
            named[argument.Key] = argument.Value;
        }

        return (positional, named);
    }

    private static (string Text, long? Integer, string Python)? Literal(TypedConstant value, ITypeSymbol type)
    {
        var special = type.SpecialType;
        switch (value.Value)
        {
            case int or long when special is SpecialType.System_Int64 or SpecialType.System_Int32:
                var number = System.Convert.ToInt64(value.Value, CultureInfo.InvariantCulture);
                if (special == SpecialType.System_Int32 && number is < int.MinValue or > int.MaxValue)
                {
                    return null;
                }

                return (Literal(number, type), number, Py.Int(number));
            case int or long or double or float when special is SpecialType.System_Double or SpecialType.System_Single:
                var real = System.Convert.ToDouble(value.Value, CultureInfo.InvariantCulture);
                return (Format.DoubleLiteral(real) + (special == SpecialType.System_Single ? "f" : string.Empty), null, Py.Float(real));
            case bool b when special == SpecialType.System_Boolean:
                return (b ? "true" : "false", b ? 1 : 0, Py.Bool(b));
            case string s when special == SpecialType.System_String:
                return (Format.StringLiteral(s), null, Py.Str(s));
            default:
                if (type.TypeKind == TypeKind.Enum && value.Type is { } given && SymbolEqualityComparer.Default.Equals(given, type) && value.Value is { } raw)
                {
                    // The twin receives an enum value by its member's name ("ReLU"), or its number when no member has it.
                    var member = type.GetMembers().OfType<IFieldSymbol>().FirstOrDefault(f => f.HasConstantValue && Equals(f.ConstantValue, raw));
                    return ($"({type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)}){System.Convert.ToString(raw, CultureInfo.InvariantCulture)}", null,
                        member is not null ? Py.Str(member.Name) : System.Convert.ToString(raw, CultureInfo.InvariantCulture)!);
                }

                return null;
        }
    }

    private static string Literal(long value, ITypeSymbol type) => type.SpecialType == SpecialType.System_Int32 ? Format.Number(value) : Format.LongLiteral(value);

    private static string Describe(TypedConstant value) => value.Value switch
    {
        string s => $"\"{s}\" (string)",
        null => "null",
        var v => $"{System.Convert.ToString(v, CultureInfo.InvariantCulture)} ({value.Type?.ToDisplayString() ?? "?"})",
    };

    private static IEnumerable<NameExpr> UnknownNames(Contract contract, List<ConstructorValue> values)
    {
        var known = new HashSet<string>(contract.AllInputNames.Concat(values.Where(v => v.Integer is not null || v.BoundDimension is not null).Select(v => v.Parameter)));
        return Used(contract).Where(n => !known.Contains(n.Name));
    }

    private static IEnumerable<NameExpr> Used(Contract contract) =>
        contract.Clauses.SelectMany(clause => clause.Output.Where(i => i.Expr is not null).SelectMany(i => ContractEvaluator.Names(i.Expr!))
            .Concat(clause.Constraints.SelectMany(c => ContractEvaluator.Names(c.Left).Concat(ContractEvaluator.Names(c.Right))))
            .Concat(clause.Parameters is { } p ? ContractEvaluator.Names(p) : Enumerable.Empty<NameExpr>()));

    /// <summary>A parameter a contract can name: an integer, or a bool (1 or 0).</summary>
    private static bool IsContractValue(ITypeSymbol type) => IsInteger(type) || type.SpecialType == SpecialType.System_Boolean;

    private static bool IsInteger(ITypeSymbol type) => type.SpecialType is SpecialType.System_Int64 or SpecialType.System_Int32;

    private static bool DerivesFrom(INamedTypeSymbol type, string baseName)
    {
        for (var t = type.BaseType; t is not null; t = t.BaseType)
        {
            if (t.ToDisplayString() == baseName)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A span inside a string literal: the contract's characters map one to one when the literal has no escapes.</summary>
    private static LocationInfo? Within(ExpressionSyntax? literal, string text, int offset, int length)
    {
        if (literal is not LiteralExpressionSyntax { Token: var token } || LocationInfo.From(literal) is not { } whole)
        {
            return LocationInfo.From(literal);
        }

        var raw = token.Text;
        var start = raw.IndexOf(text, System.StringComparison.Ordinal);
        if (start < 0 || offset + length > text.Length)
        {
            return whole;
        }

        var tree = literal.SyntaxTree;
        var span = new Microsoft.CodeAnalysis.Text.TextSpan(token.SpanStart + start + offset, System.Math.Max(length, 1));
        return LocationInfo.From(Location.Create(tree, span));
    }

    private static string FullName(INamedTypeSymbol? type) =>
        type is null ? string.Empty
        : type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() + "." + type.MetadataName
        : type.MetadataName;
}
