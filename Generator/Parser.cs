using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Threading;
using LayerDsl.Generator.Helpers;
using LayerDsl.Generator.Layers;
using LayerDsl.Generator.Models;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LayerDsl.Generator;

/// <summary>
/// Reads a model class (symbol and attributes) into a position-free <see cref="ModelSpec"/>, the positions of its
/// declaration (<see cref="SourceMap"/>) and the declaration's own diagnostics. Used by the generator and the analyzer.
/// </summary>
internal static class Parser
{
    /// <summary>Members the generator writes into every model, besides one field per layer with a module.</summary>
    public static readonly ImmutableArray<string> GeneratedMemberNames =
        ImmutableArray.Create("forward", "ForwardLogits", "ForwardTrace", "Info", "Summary");

    /// <summary>Members the generator writes into every block, besides one field per layer with a module.</summary>
    public static readonly ImmutableArray<string> GeneratedBlockMemberNames =
        ImmutableArray.Create("forward", "ForwardTrace", "InputShape", "DeclaredInputs", "variant");

    private const string ModuleBase = "TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>";

    /// <summary>
    /// The pipeline's transform for <c>[Input]</c>. A class with several partial declarations is parsed once, from the
    /// declaration that carries its first <c>[Input]</c>.
    /// </summary>
    public static ParsedModel? Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not INamedTypeSymbol type)
        {
            return null;
        }

        var firstInput = type.GetAttributes().FirstOrDefault(a => MetadataName(a.AttributeClass) == LayerKinds.InputAttribute);
        var declaration = firstInput?.ApplicationSyntaxReference?.GetSyntax(cancellationToken).FirstAncestorOrSelf<TypeDeclarationSyntax>();
        if (declaration != context.TargetNode)
        {
            return null;
        }

        try
        {
            return Parse(type, cancellationToken);
        }
        catch (System.Exception exception) when (exception is not System.OperationCanceledException)
        {
            // A bug of ours: an internal error on the class, never an exception out of the generator.
            return Failed(type, exception);
        }
    }

    /// <summary>
    /// The pipeline's transform for <c>[Block]</c>: the block's own declaration and its diagnostics (shapes are inferred
    /// where models place it). A class with both <c>[Block]</c> and <c>[Input]</c> is the model transform's to report.
    /// </summary>
    public static ParsedModel? ParseBlock(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not INamedTypeSymbol type || type.GetAttributes().Any(a => MetadataName(a.AttributeClass) == LayerKinds.InputAttribute))
        {
            return null;
        }

        try
        {
            return Parse(type, cancellationToken);
        }
        catch (System.Exception exception) when (exception is not System.OperationCanceledException)
        {
            return Failed(type, exception);
        }
    }

    /// <summary>Reads one model or block class, and every block it reaches. Never throws for bad input: problems become diagnostics.</summary>
    public static ParsedModel Parse(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        var (spec, map, diagnostics, referenced) = Declaration(type, cancellationToken);
        return new ParsedModel(spec with { Blocks = BlockTable(type, referenced, cancellationToken) }, map, diagnostics.ToEquatableArray());
    }

    /// <summary>
    /// Reads a declaration: its spec (without a block table), source map, diagnostics, and the types its composites name.
    /// A block is read the same way where it is declared and in the table of a model that places it, so that both agree
    /// on whether it can be built.
    /// </summary>
    private static (ModelSpec Spec, SourceMap Map, List<DiagnosticInfo> Diagnostics, List<INamedTypeSymbol> Referenced) Declaration(
        INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        var diagnostics = new List<DiagnosticInfo>();
        var referenced = new List<INamedTypeSymbol>();
        var classLocation = LocationInfo.From(type.Locations.FirstOrDefault());
        var ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : null;
        var containers = ContainingTypes(type);
        var all = type.GetAttributes();
        var isBlock = all.Any(a => MetadataName(a.AttributeClass) == LayerKinds.BlockAttribute);
        var hasInput = all.Any(a => MetadataName(a.AttributeClass) == LayerKinds.InputAttribute);
        var kind = hasInput ? DeclarationKind.Model : isBlock ? DeclarationKind.Block : DeclarationKind.Other;

        var mode = CheckDeclaration(type, classLocation, diagnostics, cancellationToken);
        if (isBlock && hasInput)
        {
            diagnostics.Add(DiagnosticInfo.AtLocation(DiagnosticIds.BlockWithInput, classLocation, type.Name));
            mode = Worst(mode, EmitMode.Stub);
        }

        var attributes = all.Where(IsLayerDslAttribute).ToList();
        InputSpec? input = null;
        AttributeSource? inputSource = null;
        var layers = new List<LayerSpec>();
        var layerSources = new List<AttributeSource>();
        var declarations = new List<SyntaxNode>();
        string? firstLayer = null;
        foreach (var attribute in attributes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var syntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
            var location = LocationInfo.From(syntax);
            var owner = syntax?.FirstAncestorOrSelf<TypeDeclarationSyntax>();
            if (owner is not null && !declarations.Contains(owner))
            {
                declarations.Add(owner);
                if (declarations.Count == 2)
                {
                    diagnostics.Add(DiagnosticInfo.AtLocation(
                        DiagnosticIds.LayersSplitAcrossDeclarations, location, type.Name, DeclarationCount(attributes, cancellationToken)));
                    mode = Worst(mode, EmitMode.Stub);
                }
            }

            var isInput = MetadataName(attribute.AttributeClass) == LayerKinds.InputAttribute;
            if (HasErrors(attribute))
            {
                // The compiler reports the bad argument itself; adding our own message would only repeat it.
                mode = Worst(mode, EmitMode.Stub);
                firstLayer ??= isInput ? null : Display(attribute);
                continue;
            }

            var source = Locate(attribute, syntax, location);
            if (isInput)
            {
                if (input is null)
                {
                    input = ReadInput(attribute);
                    inputSource = source;
                    if (firstLayer is not null)
                    {
                        diagnostics.Add(DiagnosticInfo.AtLocation(DiagnosticIds.InputNotFirst, location, input.Display, firstLayer));
                    }
                }
                else
                {
                    diagnostics.Add(DiagnosticInfo.AtLocation(
                        DiagnosticIds.DuplicateInput, location, type.Name, attributes.Count(a => MetadataName(a.AttributeClass) == LayerKinds.InputAttribute)));
                    mode = Worst(mode, EmitMode.Stub);
                }

                continue;
            }

            var display = Display(attribute);
            firstLayer ??= display;
            if (UserLayerReader.ModuleOf(attribute.AttributeClass) is not null)
            {
                layers.Add(UserLayerReader.Read(attribute, display, layerSources.Count));
                layerSources.Add(source);
                continue;
            }

            if (!LayerKinds.Parsers.TryGetValue(MetadataName(attribute.AttributeClass), out var parse))
            {
                diagnostics.Add(DiagnosticInfo.AtLocation(DiagnosticIds.UnknownLayerAttribute, location, display));
                mode = Worst(mode, EmitMode.Stub);
                continue;
            }

            var typeArguments = attribute.AttributeClass!.TypeArguments.OfType<INamedTypeSymbol>().ToList();
            referenced.AddRange(typeArguments);
            var args = new AttributeArgs(display, layerSources.Count, Values(attribute), DeclaredNames(attribute))
            {
                TypeArguments = typeArguments.Select(Reference).ToEquatableArray(),
            };
            layers.AddRange(parse(args));
            layerSources.Add(source);
        }

        if (kind == DeclarationKind.Model && input is null)
        {
            mode = Worst(mode, EmitMode.Stub);
        }

        layers = LayerNames.Assign(layers);
        if (mode != EmitMode.Nothing && CheckCollisions(type, kind, layers, diagnostics))
        {
            mode = EmitMode.Nothing;
        }

        if (mode != EmitMode.Nothing)
        {
            CheckConstructors(type, diagnostics, cancellationToken);
        }

        var hasErrors = diagnostics.Any(d => DiagnosticDescriptors.IsError(d.Id));
        if (mode == EmitMode.Full && hasErrors)
        {
            // A stub keeps the model's public surface, so the user's own error is the only one.
            mode = EmitMode.Stub;
        }

        var spec = new ModelSpec(ns, type.Name, containers, input, layers.ToEquatableArray(), mode)
        {
            Kind = kind,
            MetadataName = MetadataName(type),
            InSource = !type.DeclaringSyntaxReferences.IsEmpty,
            HasErrors = hasErrors,
        };
        var map = new SourceMap(classLocation, inputSource, layerSources.ToEquatableArray());
        return (spec, map, diagnostics, referenced);
    }

    /// <summary>Every block reachable from <paramref name="referenced"/>, each parsed once, in a stable order.</summary>
    private static EquatableArray<ModelSpec> BlockTable(INamedTypeSymbol self, List<INamedTypeSymbol> referenced, CancellationToken cancellationToken)
    {
        var table = new SortedDictionary<string, ModelSpec>(System.StringComparer.Ordinal);
        var pending = new Queue<INamedTypeSymbol>(referenced);
        var selfName = MetadataName(self);
        while (pending.Count > 0)
        {
            var type = pending.Dequeue();
            var name = MetadataName(type);
            if (name == selfName || table.ContainsKey(name))
            {
                continue;
            }

            var (spec, _, _, next) = Declaration(type, cancellationToken);
            table[name] = spec;
            foreach (var reference in next)
            {
                pending.Enqueue(reference);
            }
        }

        return table.Values.ToEquatableArray();
    }

    private static BlockRef Reference(INamedTypeSymbol type) =>
        new(MetadataName(type), type.Name, type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat));

    /// <summary>A declaration the parser failed on (a bug of ours): nothing emitted and an internal error on the class.</summary>
    private static ParsedModel Failed(INamedTypeSymbol type, System.Exception exception)
    {
        var location = LocationInfo.From(type.Locations.FirstOrDefault());
        var spec = new ModelSpec(null, type.Name, EquatableArray<ContainingType>.Empty, null, EquatableArray<LayerSpec>.Empty, EmitMode.Nothing);
        var error = DiagnosticInfo.AtLocation(DiagnosticIds.InternalError, location, type.Name, exception.Message);
        return new ParsedModel(spec, new SourceMap(location, null, EquatableArray<AttributeSource>.Empty), new EquatableArray<DiagnosticInfo>(new[] { error }));
    }

    /// <summary>
    /// A type declaration that may carry layer attributes without <c>[Input]</c>: it has attributes and none named
    /// <c>Input</c> or <c>Block</c>. A syntax-only test, so that valid models cost nothing here on each edit; the type's
    /// attributes are bound only for the few declarations that pass it.
    /// </summary>
    public static bool MayLackInput(SyntaxNode node)
    {
        if (node is not TypeDeclarationSyntax { AttributeLists.Count: > 0 } declaration)
        {
            return false;
        }

        foreach (var list in declaration.AttributeLists)
        {
            foreach (var attribute in list.Attributes)
            {
                var name = attribute.Name switch
                {
                    QualifiedNameSyntax qualified => qualified.Right.Identifier.ValueText,
                    AliasQualifiedNameSyntax alias => alias.Name.Identifier.ValueText,
                    SimpleNameSyntax simple => simple.Identifier.ValueText,
                    _ => string.Empty,
                };
                if (name is "Input" or "InputAttribute" or "Block" or "BlockAttribute")
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>LDSL0006 for a declaration <see cref="MayLackInput"/> let through, reported by the declaration that holds the first layer attribute (a partial class reports once).</summary>
    public static DiagnosticInfo? ParseMissingInput(GeneratorSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.SemanticModel.GetDeclaredSymbol(context.Node, cancellationToken) is not INamedTypeSymbol type
            || MissingInput(type, cancellationToken) is not { } diagnostic
            || type.GetAttributes().FirstOrDefault(IsLayerDslAttribute)?.ApplicationSyntaxReference is not { } first)
        {
            return null;
        }

        return first.SyntaxTree == context.Node.SyntaxTree && context.Node.Span.Contains(first.Span) ? diagnostic : null;
    }

    /// <summary>LDSL0006 for a class with layer attributes and no <c>[Input]</c>, on its first layer attribute; else null.</summary>
    public static DiagnosticInfo? MissingInput(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        var attributes = type.GetAttributes();
        if (attributes.Any(a => MetadataName(a.AttributeClass) is LayerKinds.InputAttribute or LayerKinds.BlockAttribute)
            || attributes.FirstOrDefault(IsLayerDslAttribute) is not { } first)
        {
            return null;
        }

        var location = LocationInfo.From(first.ApplicationSyntaxReference?.GetSyntax(cancellationToken));
        return DiagnosticInfo.AtLocation(DiagnosticIds.MissingInput, location, type.Name);
    }

    /// <summary>True for <c>[Input]</c> and for every attribute derived from <c>LayerDsl.LayerAttribute</c>.</summary>
    public static bool IsLayerDslAttribute(AttributeData attribute) =>
        attribute.AttributeClass is { } type && LayerDslAttributes.GetValue(type, static type =>
        {
            if (MetadataName(type) == LayerKinds.InputAttribute)
            {
                return Boxed.True;
            }

            for (var t = type.BaseType; t is not null; t = t.BaseType)
            {
                if (MetadataName(t) == LayerKinds.LayerAttribute)
                {
                    return Boxed.True;
                }
            }

            return Boxed.False;
        }).Value;

    /// <summary>Per attribute class (metadata symbols live as long as their references): whether it is one of ours.</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<INamedTypeSymbol, Boxed> LayerDslAttributes = new();

    /// <summary>Per attribute class: the names it declares.</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<INamedTypeSymbol, HashSet<string>> Declared = new();

    /// <summary>A bool that a <see cref="System.Runtime.CompilerServices.ConditionalWeakTable{TKey, TValue}"/> can hold.</summary>
    private sealed class Boxed
    {
        public static readonly Boxed True = new(true);
        public static readonly Boxed False = new(false);

        private Boxed(bool value) => Value = value;

        public bool Value { get; }
    }

    private static InputSpec ReadInput(AttributeData attribute)
    {
        var values = Values(attribute);
        long Get(string name) => values.TryGetValue(name, out var value) && value is int number ? number : 0;
        var names = values.ContainsKey("height") ? new[] { "channels", "height", "width" }
            : values.ContainsKey("length") ? new[] { "channels", "length" }
            : new[] { "features" };
        return new InputSpec(Shape.Of(names.Select(Get).ToArray()), Display(attribute), names.ToEquatableArray()) { Tokens = Get("Tokens") };
    }

    private static bool SameApplication(AttributeData a, AttributeData b) =>
        a.ApplicationSyntaxReference is { } x && b.ApplicationSyntaxReference is { } y && x.SyntaxTree == y.SyntaxTree && x.Span == y.Span;

    private static EmitMode CheckDeclaration(INamedTypeSymbol type, LocationInfo? classLocation, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        if (type.TypeKind != TypeKind.Class)
        {
            return EmitMode.Nothing; // the compiler already rejects [Input] on anything but a class
        }

        var errors = diagnostics.Count;
        if (type.IsRecord || type.IsStatic)
        {
            diagnostics.Add(DiagnosticInfo.AtLocation(DiagnosticIds.UnsupportedModelKind, classLocation, type.Name, type.IsRecord ? "record" : "static class"));
        }

        if (type.IsGenericType || ContainingTypeSymbols(type).Any(t => t.IsGenericType))
        {
            diagnostics.Add(DiagnosticInfo.AtLocation(DiagnosticIds.ModelIsGeneric, classLocation, type.Name));
        }

        if (!IsPartial(type, cancellationToken))
        {
            diagnostics.Add(DiagnosticInfo.AtLocation(DiagnosticIds.ModelNotPartial, classLocation, type.Name));
        }

        foreach (var container in ContainingTypeSymbols(type))
        {
            if (!IsPartial(container, cancellationToken))
            {
                diagnostics.Add(DiagnosticInfo.AtLocation(DiagnosticIds.ContainingTypeNotPartial, classLocation, type.Name, container.Name));
                break;
            }
        }

        if (type.BaseType is { SpecialType: not SpecialType.System_Object } baseType && baseType.ToDisplayString() != ModuleBase)
        {
            diagnostics.Add(DiagnosticInfo.AtLocation(DiagnosticIds.ModelHasBaseType, classLocation, type.Name, baseType.ToDisplayString()));
        }

        return diagnostics.Count > errors ? EmitMode.Nothing : EmitMode.Full;
    }

    private static bool CheckCollisions(INamedTypeSymbol type, DeclarationKind kind, List<LayerSpec> layers, List<DiagnosticInfo> diagnostics)
    {
        var generated = new HashSet<string>(kind == DeclarationKind.Block ? GeneratedBlockMemberNames : GeneratedMemberNames);
        generated.UnionWith(layers.Select(l => l.Name));

        // A member cannot have its class's name (CS0542), so a class named like a generated member collides too.
        var collided = generated.Contains(type.Name);
        if (collided)
        {
            diagnostics.Add(DiagnosticInfo.AtLocation(DiagnosticIds.MemberCollision, LocationInfo.From(type.Locations.FirstOrDefault()), type.Name, type.Name));
        }

        foreach (var member in type.GetMembers())
        {
            if (member.IsImplicitlyDeclared || IsGenerated(member))
            {
                continue;
            }

            var name = member is IMethodSymbol { MethodKind: MethodKind.Constructor } constructor && IsGeneratedConstructor(constructor)
                ? type.Name + (constructor.Parameters.Length == 1 ? "(Device?)" : "(IReadOnlyList<long>, Device?)")
                : member.Name;
            if (generated.Contains(member.Name) || name != member.Name)
            {
                diagnostics.Add(DiagnosticInfo.AtLocation(DiagnosticIds.MemberCollision, LocationInfo.From(member.Locations.FirstOrDefault()), type.Name, name));
                collided = true;
            }
        }

        return collided;
    }

    /// <summary>
    /// A user constructor must chain to the generated one (or to the base with a name): the generated base class
    /// <c>Module&lt;Tensor, Tensor&gt;</c> has no parameterless constructor, so the compiler's own error (CS1729) would
    /// blame a base class the user never wrote.
    /// </summary>
    private static void CheckConstructors(INamedTypeSymbol type, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        foreach (var constructor in type.InstanceConstructors)
        {
            if (constructor.IsImplicitlyDeclared || IsGenerated(constructor) || IsGeneratedConstructor(constructor))
            {
                continue;
            }

            foreach (var reference in constructor.DeclaringSyntaxReferences)
            {
                if (reference.GetSyntax(cancellationToken) is ConstructorDeclarationSyntax { Initializer: null } syntax)
                {
                    diagnostics.Add(DiagnosticInfo.AtLocation(DiagnosticIds.ConstructorDoesNotChain, LocationInfo.From(syntax.Identifier.GetLocation()), type.Name));
                }
            }
        }
    }

    /// <summary>
    /// True for a member this generator wrote: <see cref="ModelAnalyzer"/> sees the compilation with the generated half of
    /// the class (the generator itself never does). Generated trees sit under a folder named after the generator type.
    /// </summary>
    private static bool IsGenerated(ISymbol member) =>
        member.DeclaringSyntaxReferences.Length > 0
        && member.DeclaringSyntaxReferences.All(r => r.SyntaxTree.FilePath.Split('/', '\\').Contains(typeof(ModelGenerator).FullName));

    private static bool IsGeneratedConstructor(IMethodSymbol constructor) =>
        !constructor.IsStatic && constructor.Parameters.Length is 1 or 2 && constructor.Parameters[constructor.Parameters.Length - 1].Type.Name == "Device";

    private static bool IsPartial(INamedTypeSymbol type, CancellationToken cancellationToken) =>
        type.DeclaringSyntaxReferences.All(r =>
            r.GetSyntax(cancellationToken) is TypeDeclarationSyntax d && d.Modifiers.Any(SyntaxKind.PartialKeyword));

    private static IEnumerable<INamedTypeSymbol> ContainingTypeSymbols(INamedTypeSymbol type)
    {
        for (var t = type.ContainingType; t is not null; t = t.ContainingType)
        {
            yield return t;
        }
    }

    private static EquatableArray<ContainingType> ContainingTypes(INamedTypeSymbol type) =>
        ContainingTypeSymbols(type)
            .Reverse()
            .Select(t => new ContainingType(Keyword(t), t.Name))
            .ToEquatableArray();

    private static string Keyword(INamedTypeSymbol type) => type switch
    {
        { IsRecord: true, TypeKind: TypeKind.Struct } => "record struct",
        { IsRecord: true } => "record",
        { TypeKind: TypeKind.Struct } => "struct",
        { TypeKind: TypeKind.Interface } => "interface",
        _ => "class",
    };

    private static int DeclarationCount(List<AttributeData> attributes, CancellationToken cancellationToken) =>
        attributes
            .Select(a => a.ApplicationSyntaxReference?.GetSyntax(cancellationToken).FirstAncestorOrSelf<TypeDeclarationSyntax>())
            .Where(d => d is not null)
            .Distinct()
            .Count();

    private static EmitMode Worst(EmitMode a, EmitMode b) => (EmitMode)System.Math.Max((int)a, (int)b);

    private static bool HasErrors(AttributeData attribute) =>
        attribute.AttributeConstructor is null
        || attribute.ConstructorArguments.Any(a => a.Kind == TypedConstantKind.Error)
        || attribute.NamedArguments.Any(a => a.Value.Kind == TypedConstantKind.Error);

    /// <summary>Argument values by parameter or property name, constructor defaults included.</summary>
    private static Dictionary<string, object?> Values(AttributeData attribute)
    {
        var constructor = attribute.AttributeConstructor!;
        var values = new Dictionary<string, object?>();
        for (var i = 0; i < attribute.ConstructorArguments.Length && i < constructor.Parameters.Length; i++)
        {
            values[constructor.Parameters[i].Name] = Value(attribute.ConstructorArguments[i]);
        }

        foreach (var named in attribute.NamedArguments)
        {
            values[named.Key] = Value(named.Value);
        }

        return values;
    }

    /// <summary>Every name the attribute class declares: its constructors' parameters and its settable properties.</summary>
    private static HashSet<string> DeclaredNames(AttributeData attribute) => Declared.GetValue(attribute.AttributeClass!, static attributeClass =>
    {
        var names = new HashSet<string>();
        for (var type = attributeClass; type is not null; type = type.BaseType)
        {
            foreach (var member in type.GetMembers())
            {
                if (member is IMethodSymbol { MethodKind: MethodKind.Constructor } constructor)
                {
                    names.UnionWith(constructor.Parameters.Select(p => p.Name));
                }
                else if (member is IPropertySymbol { SetMethod: not null } property)
                {
                    names.Add(property.Name);
                }
            }
        }

        return names;
    });

    /// <summary>The attribute as written, with argument values: <c>Conv2D(32, 3, Padding = Same)</c>.</summary>
    private static string Display(AttributeData attribute)
    {
        var shown = attribute.ConstructorArguments.Where(a => a.Kind != TypedConstantKind.Array || a.Values.Length > 0).Select(Display)
            .Concat(attribute.NamedArguments.Select(n => n.Key + " = " + Display(n.Value)))
            .ToList();
        var kind = attribute.AttributeClass?.Name ?? "?";
        kind = kind.EndsWith("Attribute", System.StringComparison.Ordinal) ? kind.Substring(0, kind.Length - "Attribute".Length) : kind;
        if (attribute.AttributeClass is { TypeArguments.Length: > 0 } generic)
        {
            kind += "<" + string.Join(", ", generic.TypeArguments.Select(t => t.Name)) + ">";
        }
        return shown.Count == 0 ? kind : kind + "(" + string.Join(", ", shown) + ")";
    }

    /// <summary>Where the attribute and each written argument are, by parameter or property name.</summary>
    private static AttributeSource Locate(AttributeData attribute, AttributeSyntax? syntax, LocationInfo? location)
    {
        var parameters = attribute.AttributeConstructor!.Parameters;
        var arguments = new List<ArgumentInfo>();
        if (syntax?.ArgumentList is { } list)
        {
            var position = 0;
            foreach (var argument in list.Arguments)
            {
                var name = argument.NameEquals?.Name.Identifier.ValueText
                    ?? argument.NameColon?.Name.Identifier.ValueText
                    ?? (position < parameters.Length ? parameters[position].Name
                        : parameters.Length > 0 && parameters[parameters.Length - 1].IsParams ? parameters[parameters.Length - 1].Name : null);
                if (argument.NameEquals is null)
                {
                    position++;
                }

                if (name is null)
                {
                    continue;
                }

                // The elements of a params array are one argument: its location spans them all.
                var index = arguments.FindIndex(a => a.Name == name);
                if (index >= 0 && arguments[index].Location is { } first && LocationInfo.From(argument) is { } next)
                {
                    arguments[index] = new ArgumentInfo(name, first with { Length = next.Start + next.Length - first.Start, EndLine = next.EndLine, EndColumn = next.EndColumn });
                }
                else
                {
                    arguments.Add(new ArgumentInfo(name, LocationInfo.From(argument)));
                }
            }
        }

        return new AttributeSource(location, arguments.ToEquatableArray());
    }

    /// <summary>The constant's value; an array (<c>params int[]</c>) as an <c>object?[]</c> of its elements.</summary>
    private static object? Value(TypedConstant constant) =>
        constant.Kind == TypedConstantKind.Array ? constant.Values.Select(v => v.Value).ToArray() : constant.Value;

    private static string Display(TypedConstant constant)
    {
        if (constant.Kind == TypedConstantKind.Array)
        {
            return string.Join(", ", constant.Values.Select(Display));
        }

        if (constant.Type is INamedTypeSymbol { TypeKind: TypeKind.Enum } enumType)
        {
            var member = enumType.GetMembers().OfType<IFieldSymbol>().FirstOrDefault(f => f.HasConstantValue && Equals(f.ConstantValue, constant.Value));
            return member is not null ? member.Name : "(" + enumType.Name + ")" + System.Convert.ToString(constant.Value, CultureInfo.InvariantCulture);
        }

        return constant.Value switch
        {
            double d => Format.Double(d),
            bool b => b ? "true" : "false",
            null => "null",
            var v => System.Convert.ToString(v, CultureInfo.InvariantCulture) ?? string.Empty,
        };
    }

    /// <summary>The metadata name: namespace, containing types joined by <c>+</c>, and the type's name with its arity.</summary>
    private static string MetadataName(INamedTypeSymbol? type) =>
        type is null ? string.Empty
        : type.ContainingType is { } container ? MetadataName(container) + "+" + type.MetadataName
        : type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() + "." + type.MetadataName
        : type.MetadataName;
}
