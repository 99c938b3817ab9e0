using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;
using LayerDsl.Generator.Layers;
using LayerDsl.Generator.Tests.Infrastructure;
using Microsoft.CodeAnalysis;

namespace LayerDsl.Generator.Tests;

/// <summary>
/// The public attribute surface against the generator: every layer attribute has a rule, every argument and option is
/// read under the name the attribute declares and with the default it declares, and every attribute with every option
/// compiles next to the usual TorchSharp usings (no name of LayerDsl's collides with theirs) and with no usings at all.
/// </summary>
public class AttributeSurfaceTests
{
    /// <summary>The usings every TorchSharp user has.</summary>
    private const string TorchSharpUsings =
        "using TorchSharp;\nusing TorchSharp.Modules;\nusing static TorchSharp.torch;\nusing static TorchSharp.torch.nn;\nusing static TorchSharp.torch.nn.functional;\n";

    private static readonly Assembly Runtime = typeof(InputAttribute).Assembly;

    /// <summary>A block to close the generic attributes (<c>Use&lt;B&gt;</c>, <c>Concat&lt;B, B&gt;</c>) with.</summary>
    private const string SampleBlock = "[LayerDsl.Block][LayerDsl.Conv2D(4, 3, Padding = TorchSharp.Padding.Same)] public partial class B { }\n";

    /// <summary>Every layer attribute but <c>Layer&lt;T&gt;</c> itself, which places a user's module by its contract.</summary>
    public static IEnumerable<Type> LayerAttributes =>
        Runtime.GetExportedTypes().Where(t => typeof(LayerAttribute).IsAssignableFrom(t) && !t.IsAbstract && t != typeof(LayerAttribute<>)).OrderBy(t => t.Name, StringComparer.Ordinal);

    /// <summary>The attributes LayerDsl builds on <c>Layer&lt;T&gt;</c> (its sequence layers): their rule is the module's contract.</summary>
    private static bool IsContractAttribute(Type type)
    {
        for (var t = type.BaseType; t is not null; t = t.BaseType)
        {
            if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(LayerAttribute<>))
            {
                return true;
            }
        }

        return false;
    }

    public static TheoryData<string> LayerAttributeNames => new(LayerAttributes.Select(t => t.Name));

    public static TheoryData<string> RuleAttributeNames => new(LayerAttributes.Where(t => !IsContractAttribute(t)).Select(t => t.Name));

    [Fact]
    public void EveryLayerAttributeHasAGeneratorRuleAndEveryRuleAnAttribute()
    {
        Assert.Equal(
            LayerAttributes.Where(t => !IsContractAttribute(t)).Select(t => t.FullName!).OrderBy(n => n, StringComparer.Ordinal),
            LayerKinds.Parsers.Keys.OrderBy(n => n, StringComparer.Ordinal));
        Assert.All(Runtime.GetExportedTypes().Where(t => typeof(LayerAttribute).IsAssignableFrom(t) && t.IsAbstract), t => Assert.False(t.GetConstructors().Any(), $"{t} can be derived from outside LayerDsl"));
    }

    [Fact]
    public void UsersCannotDeclareTheirOwnLayerAttributes()
    {
        var run = GeneratorHarness.Run("using LayerDsl;\npublic sealed class MineAttribute : LayerAttribute { }\n[Input(4, 4, 1)][Mine][Dense(2)] public partial class Net { }");
        Assert.Contains(run.Input.GetDiagnostics(), d => d.Id == "CS0122" || d.Id == "CS1729");
    }

    [Theory]
    [MemberData(nameof(LayerAttributeNames))]
    public void EveryAttributeWithEveryOptionCompilesUnderTheTorchSharpUsingsAndUnderNone(string attribute)
    {
        var type = Runtime.GetType("LayerDsl." + attribute, throwOnError: true)!;
        foreach (var qualified in new[] { false, true })
        {
            var usings = qualified ? string.Empty : "using LayerDsl;\n" + TorchSharpUsings;
            var source = usings + "namespace Demo;\n" + SampleBlock +
                $"[{Name(typeof(InputAttribute), qualified)}(16, 16, 3)]\n[{Application(type, qualified)}]\n[{Name(typeof(DenseAttribute), qualified)}(2)]\npublic partial class Net {{ }}\n";
            var run = GeneratorHarness.Run(source);

            Assert.True(run.Input.GetDiagnostics().All(d => d.Severity != DiagnosticSeverity.Error), $"{attribute}, {(qualified ? "no usings" : "TorchSharp usings")}:\n{source}\n{string.Join("\n", run.Input.GetDiagnostics())}");
            Assert.Empty(run.CompilerDiagnostics);
            // The rule read every argument under a declared name (otherwise: LDSL0016), and the attribute was understood.
            Assert.DoesNotContain(run.LayerDslDiagnostics, d => d.Id is "LDSL0016" or "LDSL0018");
        }
    }

    [Theory]
    [MemberData(nameof(RuleAttributeNames))]
    public void TheGeneratorsDefaultsAreTheAttributesDefaults(string attribute)
    {
        var type = Runtime.GetType("LayerDsl." + attribute, throwOnError: true)!;
        var closed = type.IsGenericTypeDefinition ? type.MakeGenericType(type.GetGenericArguments().Select(_ => typeof(object)).ToArray()) : type;
        var instance = Activator.CreateInstance(closed, ConstructorArguments(type).Select(a => a.Value).ToArray())!;
        var options = Options(closed).Select(p => $"{p.Name} = {Literal(p.GetValue(instance)!, qualified: false)}").ToList();
        var constructor = string.Join(", ", ConstructorArguments(type).Select(a => a.Text));
        var bare = Layer($"{Short(type)}({constructor})");
        var explicitDefaults = Layer($"{Short(type)}({string.Join(", ", new[] { constructor }.Where(c => c.Length > 0).Concat(options))})");

        Assert.Equal(bare with { Display = string.Empty }, explicitDefaults with { Display = string.Empty });
    }

    [Fact]
    public void NoPublicLayerDslTypeSharesANameWithATypeTheTorchSharpUsingsBringIn()
    {
        var torch = typeof(TorchSharp.torch).Assembly;
        var inScope = torch.GetExportedTypes()
            .Where(t => t.Namespace is "TorchSharp" or "TorchSharp.Modules"
                || t.DeclaringType?.FullName is "TorchSharp.torch" or "TorchSharp.torch+nn" or "TorchSharp.torch+nn+functional")
            .Select(t => t.Name.Split('`')[0])
            .ToHashSet(StringComparer.Ordinal);
        var ours = Runtime.GetExportedTypes().Where(t => t.DeclaringType is null).Select(t => t.Name.Split('`')[0]);

        Assert.DoesNotContain(ours, inScope.Contains);
    }

    private static LayerSpec Layer(string application)
    {
        var compilation = GeneratorHarness.Compile($"using LayerDsl;\nusing TorchSharp;\nusing static TorchSharp.torch;\n{SampleBlock}[Input(16, 16, 3)][{application}] public partial class Net {{ }}");
        var parsed = Parser.Parse(compilation.GetTypeByMetadataName("Net")!, default);
        Assert.Empty(parsed.Diagnostics);
        return parsed.Spec.Layers[0];
    }

    private static string Application(Type type, bool qualified)
    {
        var arguments = ConstructorArguments(type).Select(a => a.Text)
            .Concat(Options(type).Select(p => $"{p.Name} = {Literal(Sample(p.PropertyType, p.Name), qualified)}"));
        return $"{Name(type, qualified)}({string.Join(", ", arguments)})";
    }

    /// <summary>The arguments of the constructor with the fewest parameters beyond the square one (so <c>Conv2D(filters, kernelSize)</c>).</summary>
    private static IEnumerable<(object Value, string Text)> ConstructorArguments(Type type)
    {
        var constructor = type.GetConstructors().OrderBy(c => c.GetParameters().Length).Last(c => c.GetParameters().Length <= 2 || type.GetConstructors().Length == 1);
        return constructor.GetParameters().Select(p => Sample(p.ParameterType, p.Name!)).Select(v => (v, Literal(v, qualified: false)));
    }

    private static IEnumerable<PropertyInfo> Options(Type type) =>
        type.GetProperties().Where(p => p.CanWrite && p.SetMethod!.IsPublic).OrderBy(p => p.Name, StringComparer.Ordinal);

    /// <summary>A value of the type that keeps a 16 x 16 x 3 input valid: small sizes, a rate below 1, a named enum member.</summary>
    private static object Sample(Type type, string name) => type switch
    {
        _ when type == typeof(int) => name == "InFeatures" ? 0 : 2,
        _ when type == typeof(int[]) => name == "axes" ? new[] { 2, 0, 1 } : new[] { -1 },
        _ when type == typeof(double) => 0.25,
        _ when type == typeof(bool) => true,
        _ when type.IsEnum => Enum.GetValues(type).Cast<object>().Last(),
        _ => throw new NotSupportedException($"no sample value for {type} ({name}); extend the test"),
    };

    private static string Literal(object value, bool qualified) => value switch
    {
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        int i => i.ToString(CultureInfo.InvariantCulture),
        int[] values => string.Join(", ", values.Select(v => v.ToString(CultureInfo.InvariantCulture))),
        Enum e => $"{(qualified ? e.GetType().FullName!.Replace('+', '.') : e.GetType().Name)}.{e}",
        _ => throw new NotSupportedException(value.GetType().ToString()),
    };

    private static string Name(Type type, bool qualified) => qualified ? type.Namespace + "." + Short(type, qualified) : Short(type, qualified);

    /// <summary><c>Conv2D</c>, or <c>Concat&lt;Demo.B, Demo.B&gt;</c> for a generic attribute closed with the sample block.</summary>
    private static string Short(Type type, bool qualified = false)
    {
        var name = type.Name.Split('`')[0];
        name = name.EndsWith("Attribute", StringComparison.Ordinal) ? name[..^"Attribute".Length] : name;
        return type.IsGenericTypeDefinition ? $"{name}<{string.Join(", ", type.GetGenericArguments().Select(_ => qualified ? "Demo.B" : "B"))}>" : name;
    }
}
