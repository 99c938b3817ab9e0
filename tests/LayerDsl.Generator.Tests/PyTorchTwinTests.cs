using System.Linq;
using LayerDsl.Generator.Tests.Infrastructure;

namespace LayerDsl.Generator.Tests;

/// <summary>What a model's <c>PyTorchSource</c> holds, as text: the runtime modules' classes it needs and only those, and a clear stand-in for a user layer without a twin.</summary>
public sealed class PyTorchTwinTests
{
    [Fact]
    public void Every_runtime_module_has_a_python_twin_in_the_generator()
    {
        var modules = typeof(LayerDsl.Modules.MaskedConv2d).Assembly.GetExportedTypes()
            .Where(t => t.Namespace?.StartsWith("LayerDsl.Modules", System.StringComparison.Ordinal) == true && !t.IsAbstract
                && typeof(TorchSharp.torch.nn.Module).IsAssignableFrom(t))
            .Select(t => t.Name)
            .ToList();
        var resources = typeof(ModelGenerator).Assembly.GetManifestResourceNames();

        Assert.Contains("MaskedConv2d", modules);
        Assert.All(modules, name => Assert.Contains($"LayerDsl.PyTorch.{name}.py", resources));
    }

    [Fact]
    public void A_twin_carries_the_runtime_classes_its_layers_use_and_no_others()
    {
        var run = GeneratorHarness.Run("""
            using LayerDsl;
            namespace Demo;
            [Input(12, 12, 1)]
            [MaskedConv(3, 4)]
            [Flatten]
            [Dense(2)]
            public partial class Masked { }
            """);
        var source = run.GeneratedSources.Single(s => s.Key.EndsWith("Masked.g.cs", System.StringComparison.Ordinal)).Value;

        Assert.Contains("class MaskedConv2d(nn.Module):", source);
        Assert.Contains("self.maskedConv1 = MaskedConv2d(1, 4, 3, stride=1, padding=0, maskActivation=\\\"Tanh\\\", activation=\\\"None\\\", bias=False)", source);
        Assert.DoesNotContain("class DeformConv2d", source);
        Assert.DoesNotContain("class LstmLayer", source);
    }
}
