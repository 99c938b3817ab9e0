using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using TorchSharp;
using static TorchSharp.torch;

namespace LayerDsl.Models.Cli;

/// <summary>The DSL models of an assembly, found by reflection (public classes implementing <see cref="ILayerModel"/>), by class name.</summary>
internal sealed class ModelCatalog
{
    private readonly Dictionary<string, Type> types;

    public ModelCatalog(Assembly assembly)
        : this(assembly.GetTypes())
    {
    }

    public ModelCatalog(IEnumerable<Type> candidates)
    {
        types = candidates
            .Where(t => t is { IsClass: true, IsAbstract: false, IsGenericTypeDefinition: false }
                && typeof(ILayerModel).IsAssignableFrom(t)
                && typeof(nn.Module<Tensor, Tensor>).IsAssignableFrom(t)
                && Constructor(t) is not null)
            .ToDictionary(t => t.Name, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The models of the runner's own assembly (Models/).</summary>
    public static ModelCatalog Default { get; } = new(typeof(ModelCatalog).Assembly);

    /// <summary>Every model's class name, sorted.</summary>
    public IReadOnlyList<string> Names => types.Values.Select(t => t.Name).OrderBy(n => n, StringComparer.Ordinal).ToArray();

    /// <summary>The canonical class name for <paramref name="name"/> (any case); throws listing the known ones when unknown.</summary>
    public string Resolve(string name) => types.TryGetValue(name.Trim(), out var type)
        ? type.Name
        : throw new UsageException($"unknown model '{name}'; the models are: {(types.Count == 0 ? "(none)" : string.Join(", ", Names))}");

    /// <summary>Builds model <paramref name="name"/> on <paramref name="device"/>.</summary>
    public nn.Module<Tensor, Tensor> Create(string name, Device device)
    {
        var type = types[Resolve(name)];
        var constructor = Constructor(type)!;
        object instance;
        try
        {
            instance = constructor.GetParameters().Length == 0 ? constructor.Invoke(null) : constructor.Invoke(new object?[] { device });
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw new InvalidOperationException($"building {type.Name} failed: {e.InnerException.Message}", e.InnerException);
        }

        var module = (nn.Module<Tensor, Tensor>)instance;
        if (constructor.GetParameters().Length == 0)
        {
            module.to(device);
        }

        return module;
    }

    private static ConstructorInfo? Constructor(Type type) =>
        type.GetConstructor(new[] { typeof(Device) }) ?? type.GetConstructor(Type.EmptyTypes);
}

/// <summary>A mistake on the command line: printed without a stack trace, exit code 2.</summary>
internal sealed class UsageException : Exception
{
    public UsageException(string message)
        : base(message)
    {
    }
}
