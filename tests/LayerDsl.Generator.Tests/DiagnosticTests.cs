using System.Linq;
using LayerDsl.Generator.Tests.Infrastructure;
using Microsoft.CodeAnalysis;

namespace LayerDsl.Generator.Tests;

/// <summary>One test per diagnostic: ID, severity, line and column of the code at fault, and the numbers in the message; then the rest still compiles.</summary>
public class DiagnosticTests
{
    private const string Header = "using LayerDsl; using TorchSharp;\nnamespace Demo;\n"; // model declarations start on line 3

    /// <summary>Runs the generator and returns its only LayerDsl diagnostic, checking severity, ID and 1-based position.</summary>
    private static Diagnostic Single(string declaration, string id, int line, int column, bool stillCompiles = true)
    {
        var run = GeneratorHarness.Run(Header + declaration);
        var diagnostic = Assert.Single(run.LayerDslDiagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        var position = diagnostic.Location.GetLineSpan();
        Assert.Equal("Model0.cs", position.Path);
        Assert.Equal((line, column), (position.StartLinePosition.Line + 1, position.StartLinePosition.Character + 1));
        Assert.StartsWith("https://", diagnostic.Descriptor.HelpLinkUri);
        if (stillCompiles)
        {
            // The generator's output must not add follow-on compiler errors to the real one.
            Assert.Empty(run.CompilerDiagnostics);
        }

        return diagnostic;
    }

    [Fact]
    public void OriginsBrokenModelIsAnErrorOnTheDensePinNaming784And18432()
    {
        var diagnostic = Single(
            "[Input(28, 28, 1)]\n[MaskedConv(5, 32)]\n[Dense(10, InFeatures = 784)]\npublic partial class Broken { }",
            "LDSL0013",
            line: 5,
            column: 12);
        var message = diagnostic.GetMessage();
        Assert.Contains("InFeatures = 784", message);
        Assert.Contains("18432", message);
        Assert.Contains("24 × 24 × 32 = 18432 from MaskedConv(5, 32)", message);
    }

    [Fact]
    public void DensePinThroughFlattenNamesTheLayerThatProducedTheSize()
    {
        var message = Single(
            "[Input(28, 28, 1)]\n[Conv2D(32, 3)]\n[Dropout(0.5)]\n[Flatten]\n[Dense(10, InFeatures = 784)]\npublic partial class Net { }",
            "LDSL0013",
            line: 7,
            column: 12).GetMessage();
        Assert.Contains("26 × 26 × 32 = 21632 from Conv2D(32, 3)", message);
    }

    [Fact]
    public void ClassNotPartial() =>
        Assert.Contains("'Net'", Single("[Input(4, 4, 1)][Dense(2)]\npublic class Net { }", "LDSL0001", line: 4, column: 14, stillCompiles: false).GetMessage());

    [Fact]
    public void GenericClass() =>
        Single("[Input(4, 4, 1)][Dense(2)]\npublic partial class Net<T> { }", "LDSL0002", line: 4, column: 22);

    [Fact]
    public void NestedInNonPartialType() =>
        Assert.Contains("'Outer'", Single("public class Outer\n{\n    [Input(4, 4, 1)][Dense(2)]\n    public partial class Net { }\n}", "LDSL0003", line: 6, column: 26).GetMessage());

    [Fact]
    public void StaticClass() =>
        Assert.Contains("static class", Single("[Input(4, 4, 1)][Dense(2)]\npublic static partial class Net { }", "LDSL0004", line: 4, column: 29).GetMessage());

    [Fact]
    public void Record() =>
        Assert.Contains("record", Single("[Input(4, 4, 1)][Dense(2)]\npublic partial record Net;", "LDSL0004", line: 4, column: 23).GetMessage());

    [Fact]
    public void ForeignBaseClass() =>
        Assert.Contains("System.Exception", Single("[Input(4, 4, 1)][Dense(2)]\npublic partial class Net : System.Exception { }", "LDSL0005", line: 4, column: 22).GetMessage());

    [Fact]
    public void MissingInput() =>
        Single("[Conv2D(8, 3)]\n[Dense(2)]\npublic partial class Net { }", "LDSL0006", line: 3, column: 2, stillCompiles: true);

    [Fact]
    public void DuplicateInput() =>
        Assert.Contains("2 times", Single("[Input(4, 4, 1)]\n[Input(8, 8, 1)]\n[Dense(2)]\npublic partial class Net { }", "LDSL0007", line: 4, column: 2).GetMessage());

    [Fact]
    public void LayersSplitOverPartialDeclarations() =>
        Assert.Contains("2 partial declarations", Single(
            "[Input(4, 4, 1)]\n[Dense(4)]\npublic partial class Net { }\n[Dense(2)]\npublic partial class Net { }", "LDSL0008", line: 6, column: 2).GetMessage());

    [Fact]
    public void MemberCollidesWithGeneratedField() =>
        Assert.Contains("'dense1'", Single(
            "[Input(4, 4, 1)]\n[Dense(2)]\npublic partial class Net { private int dense1; }", "LDSL0009", line: 5, column: 40, stillCompiles: false).GetMessage());

    [Theory]
    [InlineData("[Conv2D(0, 3)]", 9, "filters must be greater than 0, but is 0")]
    [InlineData("[Conv2D(8, 3, Stride = -1)]", 15, "Stride must be greater than 0, but is -1")]
    [InlineData("[MaskedConv(-5, 32)]", 13, "kernelSize must be greater than 0, but is -5")]
    [InlineData("[MaxPool2D(0)]", 12, "poolSize must be greater than 0, but is 0")]
    [InlineData("[Dropout(1.0)]", 10, "rate must be in [0, 1), but is 1")]
    [InlineData("[Dropout(-0.1)]", 10, "rate must be in [0, 1), but is -0.1")]
    [InlineData("[Dense(10, InFeatures = -3)]", 12, "InFeatures must be 0 (inferred) or greater, but is -3")]
    [InlineData("[Conv2D(8, 3, Activation = (Activation)42)]", 15, "Activation must be one of the enum's named values, but is 42")]
    public void InvalidArgumentIsReportedOnTheArgument(string layer, int column, string message)
    {
        var diagnostic = Single("[Input(8, 8, 1)]\n" + layer + "\npublic partial class Net { }", "LDSL0010", line: 4, column: column);
        Assert.Contains(message, diagnostic.GetMessage());
    }

    [Fact]
    public void InvalidInputSize() =>
        Assert.Contains("channels must be greater than 0, but is 0", Single(
            "[Input(28, 28, 0)]\n[Dense(2)]\npublic partial class Net { }", "LDSL0010", line: 3, column: 16).GetMessage());

    [Theory]
    [InlineData("[Conv2D(8, 7)]", 12, "7 × 7 window over a 5 × 9 input, so its output would be -1 × 3", "Padding = Padding.Same")]
    [InlineData("[MaskedConv(9, 8)]", 13, "9 × 9 window over a 5 × 9 input, so its output would be -3 × 1", "Padding = Padding.Same")]
    [InlineData("[MaxPool2D(6)]", 12, "6 × 6 window over a 5 × 9 input, so its output would be 0 × 1", "larger input")]
    public void WindowLargerThanInputSaysTheWouldBeSize(string layer, int column, string numbers, string remedy)
    {
        var message = Single("[Input(5, 9, 3)]\n" + layer + "\npublic partial class Net { }", "LDSL0011", line: 4, column: column).GetMessage();
        Assert.Contains(numbers, message);
        Assert.Contains(remedy, message);
    }

    [Fact]
    public void WindowLargerThanItsInputAfterEarlierLayers() =>
        Assert.Contains("3 × 3 window over a 2 × 3 input, so its output would be 0 × 1", Single(
            "[Input(8, 12, 1)]\n[MaxPool2D(4)]\n[Conv2D(4, 3)]\npublic partial class Net { }", "LDSL0011", line: 5, column: 12).GetMessage());

    [Fact]
    public void SpatialLayerAfterFlatten() =>
        Assert.Equal(
            "Conv2D(4, 3) needs a [channels, height, width] input, but gets [96] from Flatten; move Conv2D(4, 3) before Flatten, which flattened the tensor",
            Single("[Input(8, 6, 2)]\n[Flatten]\n[Conv2D(4, 3)]\npublic partial class Net { }", "LDSL0012", line: 5, column: 2).GetMessage());

    [Fact]
    public void SpatialLayerAfterDenseNamesTheDense() =>
        Assert.Equal(
            "MaxPool2D(2) needs a [channels, height, width] input, but gets [16] from Dense(16); move MaxPool2D(2) before Dense(16), which flattened the tensor",
            Single("[Input(8, 6, 2)]\n[Dense(16)]\n[MaxPool2D]\npublic partial class Net { }", "LDSL0012", line: 5, column: 2).GetMessage());

    [Fact]
    public void SpatialLayerAfterFlattenThenDenseNamesTheShapeItGetsNotTheFlattenedSize() =>
        Assert.Equal(
            "Conv2D(4, 3) needs a [channels, height, width] input, but gets [128] from Dense(128); move Conv2D(4, 3) before Flatten, which flattened the tensor",
            Single("[Input(8, 6, 2)]\n[Flatten]\n[Dense(128)]\n[Conv2D(4, 3)]\npublic partial class Net { }", "LDSL0012", line: 6, column: 2).GetMessage());

    [Fact]
    public void SpatialLayerOnAFeatureInput() =>
        Assert.Equal(
            "Conv2D(4, 3) needs a [channels, height, width] input, but gets [20] from Input(20); reshape the tensor before it, or declare the input with the rank it needs",
            Single("[Input(20)]\n[Conv2D(4, 3)]\npublic partial class Net { }", "LDSL0012", line: 4, column: 2).GetMessage());

    [Fact]
    public void InputAfterTheLayersIsAWarningSayingWhatRunsFirst()
    {
        var run = GeneratorHarness.Run(Header + "[Conv2D(4, 3)]\n[Input(8, 6, 1)]\n[Dense(2)]\npublic partial class Net { }");
        var diagnostic = Assert.Single(run.LayerDslDiagnostics);
        Assert.Equal(("LDSL0019", DiagnosticSeverity.Warning), (diagnostic.Id, diagnostic.Severity));
        Assert.Equal(4, diagnostic.Location.GetLineSpan().StartLinePosition.Line + 1);
        Assert.Equal("Input(8, 6, 1) comes after Conv2D(4, 3); layers run in attribute order from the input, so Conv2D(4, 3) runs first, after the input; move Input(8, 6, 1) above the layers", diagnostic.GetMessage());
        Assert.Empty(run.CompilerDiagnostics);
        Assert.Contains("conv1 = global::TorchSharp.torch.nn.Conv2d(1L, 4L, 3L);", run.SingleSource);
    }

    [Fact]
    public void SwappedConvolutionArgumentsAreInformationOnTheAttribute()
    {
        var run = GeneratorHarness.Run(Header + "[Input(64, 64, 3)]\n[Conv2D(3, 32)]\n[Flatten]\n[Dense(10)]\npublic partial class Net { }");
        var diagnostic = Assert.Single(run.LayerDslDiagnostics);
        Assert.Equal(("LDSL0020", DiagnosticSeverity.Info), (diagnostic.Id, diagnostic.Severity));
        Assert.Equal((4, 2), (diagnostic.Location.GetLineSpan().StartLinePosition.Line + 1, diagnostic.Location.GetLineSpan().StartLinePosition.Character + 1));
        Assert.Equal(
            "Conv2D(3, 32) builds 3 filters, 32 × 32 kernel over a 64 × 64 input; Conv2D takes (filters, kernelSize), so if you meant 32 filters, 3 × 3 kernel, write Conv2D(32, 3)",
            diagnostic.GetMessage());
        Assert.Empty(run.CompilerDiagnostics);
        Assert.Contains("conv1 (Conv2D(3, 32): 3 filters, 32 × 32 kernel)", run.SingleSource);
    }

    [Fact]
    public void SizeOverflowOfTheInput() =>
        Assert.Contains("100000 × 50000 × 64 = 320000000000 values per sample, more than 2147483647", Single(
            "[Input(100000, 50000, 64)]\n[Dense(2)]\npublic partial class Net { }", "LDSL0014", line: 3, column: 2).GetMessage());

    [Fact]
    public void SizeOverflowOfALayersOutput() =>
        Assert.Contains("40000 × 50000 × 2 = 4000000000 values per sample, more than 2147483647", Single(
            "[Input(40000, 50000, 1)]\n[Conv2D(2, 1)]\npublic partial class Net { }", "LDSL0014", line: 4, column: 2).GetMessage());

    [Fact]
    public void SizeOverflowOfTheParameterCount() =>
        Assert.Contains("does not fit in 64 bits", Single(
            "[Input(1, 1, 1)]\n[Dense(2000000000)]\n[Dense(2000000000)]\n[Dense(2000000000)]\n[Dense(2000000000)]\npublic partial class Net { }",
            "LDSL0014",
            line: 7,
            column: 2).GetMessage());

    [Fact]
    public void NoLayers() =>
        Single("[Input(4, 4, 1)]\npublic partial class Net { }", "LDSL0015", line: 3, column: 2);

    [Fact]
    public void UserConstructorThatDoesNotChainIsExplained()
    {
        var run = GeneratorHarness.Run(Header + "[Input(4, 4, 1)][Dense(2)]\npublic partial class Net\n{\n    public Net(int seed) { }\n    public Net(string tag) : this((TorchSharp.torch.Device?)null) { }\n}");
        var diagnostic = Assert.Single(run.LayerDslDiagnostics);
        Assert.Equal("LDSL0017", diagnostic.Id);
        Assert.Equal((6, 12), (diagnostic.Location.GetLineSpan().StartLinePosition.Line + 1, diagnostic.Location.GetLineSpan().StartLinePosition.Character + 1));
        Assert.Contains(": this(device)", diagnostic.GetMessage());

        // The model is still generated, so the chained constructor compiles; the compiler's error is on the one LDSL0017 names.
        Assert.Equal(new[] { "CS1729" }, run.CompilerDiagnostics.Select(d => d.Id));
        Assert.Equal(6, run.CompilerDiagnostics[0].Location.GetLineSpan().StartLinePosition.Line + 1);
    }

    [Fact]
    public void EveryDescriptorHasASequentialIdAHelpLinkAndIsInTheReleaseTracking()
    {
        var descriptors = DiagnosticDescriptors.All.ToList();
        Assert.Equal(Enumerable.Range(1, descriptors.Count).Select(i => $"LDSL{i:0000}"), descriptors.Select(d => d.Id));
        var unshipped = System.IO.File.ReadAllText(System.IO.Path.Combine(RepositoryRoot(), "Generator", "AnalyzerReleases.Unshipped.md"));
        var shipped = System.IO.File.ReadAllText(System.IO.Path.Combine(RepositoryRoot(), "Generator", "AnalyzerReleases.Shipped.md"));
        var readme = System.IO.File.ReadAllText(System.IO.Path.Combine(RepositoryRoot(), "README.md"));
        foreach (var descriptor in descriptors)
        {
            Assert.EndsWith("#" + descriptor.Id.ToLowerInvariant(), descriptor.HelpLinkUri);
            Assert.True(unshipped.Contains(descriptor.Id) || shipped.Contains(descriptor.Id), $"{descriptor.Id} is not in AnalyzerReleases");
            Assert.Contains(descriptor.Id, readme);
        }
    }

    private static string RepositoryRoot([System.Runtime.CompilerServices.CallerFilePath] string path = "") =>
        System.IO.Path.GetFullPath(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(path)!, "..", ".."));
}
