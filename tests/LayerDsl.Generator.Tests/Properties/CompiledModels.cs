using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using LayerDsl.Generator.Tests.Infrastructure;

namespace LayerDsl.Generator.Tests.Properties;

/// <summary>
/// A compilation (user declarations plus generated code) emitted in memory and loaded into a collectible
/// context. LayerDsl.Runtime and TorchSharp come from the default context, so the loaded models implement the
/// test's own <see cref="ILayerModel"/> and share its native TorchSharp.
/// </summary>
public sealed class CompiledModels : IDisposable
{
    private readonly AssemblyLoadContext _context;

    private CompiledModels(AssemblyLoadContext context, Assembly assembly)
    {
        _context = context;
        Assembly = assembly;
    }

    public Assembly Assembly { get; }

    /// <summary>Emits a generator run's output compilation (failing the test with its diagnostics if it does not emit) and loads it.</summary>
    public static CompiledModels Load(GeneratorRun run)
    {
        var image = new MemoryStream();
        var emitted = run.Output.Emit(image);
        Xunit.Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        return Load(image);
    }

    /// <summary>Loads an emitted image.</summary>
    public static CompiledModels Load(MemoryStream image)
    {
        image.Position = 0;
        var context = new FallbackLoadContext();
        return new CompiledModels(context, context.LoadFromStream(image));
    }

    /// <summary>Creates the model class <paramref name="fullName"/> on the CPU.</summary>
    public object Create(string fullName)
    {
        var type = Assembly.GetType(fullName, throwOnError: true)!;
        var constructor = type.GetConstructors().Single();
        try
        {
            return constructor.Invoke(new object?[] { null });
        }
        catch (TargetInvocationException exception) when (exception.InnerException is not null)
        {
            throw exception.InnerException;
        }
    }

    public void Dispose() => _context.Unload();

    /// <summary>Loads only the emitted image itself; every reference resolves from the default context.</summary>
    private sealed class FallbackLoadContext : AssemblyLoadContext
    {
        public FallbackLoadContext()
            : base("LayerDsl.PropertyTests", isCollectible: true)
        {
        }

        protected override Assembly? Load(AssemblyName assemblyName) => null;
    }
}
