using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using TorchSharp;
using static TorchSharp.torch;

namespace LayerDsl.Experiments.Cli;

/// <summary>
/// The LayerDsl models of an assembly, found by reflection (classes implementing <see cref="ILayerModel"/> that can be
/// built from a device alone). Each model goes by its class name when no other model shares it, else by its full name
/// (<c>Namespace.Class</c>); either is accepted, in any case, wherever it names one model only.
/// </summary>
internal sealed class ModelCatalog
{
    private readonly IReadOnlyList<(string Name, Type Type)> models;

    public ModelCatalog(Assembly assembly)
        : this(LoadableTypes(assembly))
    {
    }

    public ModelCatalog(IEnumerable<Type> candidates)
    {
        var types = candidates
            .Where(t => t is { IsClass: true, IsAbstract: false, IsGenericTypeDefinition: false }
                && typeof(ILayerModel).IsAssignableFrom(t)
                && typeof(nn.Module<Tensor, Tensor>).IsAssignableFrom(t)
                && Constructor(t) is not null)
            .Distinct()
            .ToArray();
        var sharedNames = types
            .GroupBy(t => t.Name, StringComparer.OrdinalIgnoreCase)
            .Where(g => g.Count() > 1)
            .Select(g => g.Key)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        models = types
            .Select(t => (Name: sharedNames.Contains(t.Name) ? FullName(t) : t.Name, Type: t))
            .OrderBy(m => m.Name, StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>Every model's name (its class name, or its full name when another model shares the class name), sorted.</summary>
    public IReadOnlyList<string> Names => models.Select(m => m.Name).ToArray();

    /// <summary>
    /// The name of the model <paramref name="name"/> designates: its name or full name, exactly or in another case, or its
    /// class name when only one model has it. Throws <see cref="UsageException"/> naming the candidates when it designates
    /// several models, or listing every model when it designates none.
    /// </summary>
    public string Resolve(string name)
    {
        string wanted = name.Trim();
        var matches = Find(m => m.Name == wanted || FullName(m.Type) == wanted);
        if (matches.Length == 0)
        {
            matches = Find(m => string.Equals(m.Name, wanted, StringComparison.OrdinalIgnoreCase)
                || string.Equals(FullName(m.Type), wanted, StringComparison.OrdinalIgnoreCase));
        }

        if (matches.Length == 0)
        {
            matches = Find(m => string.Equals(m.Type.Name, wanted, StringComparison.OrdinalIgnoreCase));
        }

        return matches.Length switch
        {
            1 => matches[0],
            0 => throw new UsageException($"unknown model '{name}'; the models are: {(models.Count == 0 ? "(none)" : string.Join(", ", Names))}"),
            _ => throw new UsageException($"model name '{name}' is ambiguous: it could be {string.Join(" or ", matches)}; give the full name"),
        };
    }

    /// <summary>Builds model <paramref name="name"/> on <paramref name="device"/>.</summary>
    public nn.Module<Tensor, Tensor> Create(string name, Device device)
    {
        string resolved = Resolve(name);
        var type = models.First(m => m.Name == resolved).Type;
        var constructor = Constructor(type)!;
        object instance;
        try
        {
            instance = constructor.GetParameters().Length == 0 ? constructor.Invoke(null) : constructor.Invoke(new object?[] { device });
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw new InvalidOperationException($"building {resolved} failed: {e.InnerException.Message}", e.InnerException);
        }

        var module = (nn.Module<Tensor, Tensor>)instance;
        if (constructor.GetParameters().Length == 0)
        {
            module.to(device);
        }

        return module;
    }

    private string[] Find(Func<(string Name, Type Type), bool> predicate) => models.Where(predicate).Select(m => m.Name).ToArray();

    /// <summary>Namespace-qualified name, nested types joined by dots.</summary>
    private static string FullName(Type type) => (type.FullName ?? type.Name).Replace('+', '.');

    private static IEnumerable<Type> LoadableTypes(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            return e.Types.Where(t => t is not null).Select(t => t!);
        }
    }

    private static ConstructorInfo? Constructor(Type type) =>
        type.GetConstructor(new[] { typeof(Device) }) ?? type.GetConstructor(Type.EmptyTypes);
}

/// <summary>A mistake on the command line: printed on one line without a stack trace, exit code 2.</summary>
internal sealed class UsageException : Exception
{
    public UsageException(string message)
        : base(message)
    {
    }
}
