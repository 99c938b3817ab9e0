using System;
using System.Linq;
using LayerDsl.Generator.Tests.Infrastructure;

namespace LayerDsl.Generator.Tests;

/// <summary>The generated code, checked against committed snapshots, and compiled warning-free.</summary>
public class EmitterSnapshotTests
{
    private const string Usings = "using LayerDsl;\nusing TorchSharp;\nnamespace Demo;\n";

    public static TheoryData<string, string> Models => new()
    {
        { "StandardCnn", "[Input(28, 28, 1)]\n[Conv2D(32, 3, Activation = Activation.ReLU)]\n[Flatten]\n[Dense(10, Activation = Activation.Softmax)]\npublic partial class StandardCnn { }" },
        { "MaskedConvNet", "[Input(28, 28, 1)]\n[MaskedConv(5, 32)]\n[Flatten]\n[Dense(10, Activation = Activation.Softmax)]\npublic partial class MaskedConvNet { }" },
        { "Conv2DSameStride2", "[Input(28, 28, 3)]\n[Conv2D(8, 4, Stride = 2, Padding = Padding.Same, Activation = Activation.Tanh)]\n[Conv2D(4, 3, Padding = Padding.Same)]\n[Dense(2)]\npublic partial class Conv2DSameStride2 { }" },
        { "MaskedConvOptions", "[Input(16, 12, 3)]\n[MaskedConv(3, 8, Stride = 2, Padding = Padding.Same, MaskActivation = MaskActivation.Sigmoid, Activation = Activation.Sigmoid, UseBias = true)]\n[Flatten]\npublic partial class MaskedConvOptions { }" },
        { "Pools", "[Input(32, 32, 2)]\n[MaxPool2D]\n[AvgPool2D(3, Stride = 1)]\n[MaxPool2D(2, Stride = 3)]\npublic partial class Pools { }" },
        { "DropoutAndBatchNorm", "[Input(8, 8, 4)]\n[BatchNorm]\n[Dropout(0.25)]\n[Flatten]\n[BatchNorm(Epsilon = 0.001, Momentum = 0.01)]\n[Dense(5, InFeatures = 256)]\npublic partial class DropoutAndBatchNorm { }" },
        { "ActivationLayers", "[Input(4, 4, 1)]\n[ReLU]\n[Tanh]\n[Sigmoid]\n[Flatten]\n[Dense(3)]\n[Softmax]\npublic partial class ActivationLayers { }" },
        { "InvalidModelStub", "[Input(28, 28, 1)]\n[MaskedConv(5, 32)]\n[Dense(10, InFeatures = 784)]\npublic partial class InvalidModelStub { }" },
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void GeneratedCodeMatchesSnapshotAndCompilesWithoutWarnings(string name, string declaration)
    {
        var run = GeneratorHarness.Run(Usings + declaration);

        Snapshot.Verify(run.SingleSource, name);
        Assert.Empty(run.CompilerDiagnostics);
        var expectError = name == "InvalidModelStub";
        Assert.Equal(expectError, run.LayerDslDiagnostics.Count > 0);
    }

    public static TheoryData<string, string> Composites => new()
    {
        { "ResidualWithProjection", "[Block]\n[Conv2D(16, 3, Stride = 2, Padding = Padding.Same)]\n[BatchNorm]\n[ReLU]\npublic partial class Down { }\n\n[Input(12, 10, 8)]\n[Residual<Down>(Project = true, Activation = Activation.ReLU)]\n[GlobalAvgPool2D]\n[Dense(3)]\npublic partial class ResidualWithProjection { }" },
        { "ConcatOfBranches", "[Block]\n[Conv2D(4, 1)]\npublic partial class Narrow { }\n\n[Block]\n[Conv2D(6, 3, Padding = Padding.Same)]\n[ReLU]\npublic partial class Wide { }\n\n[Input(8, 8, 3)]\n[Concat<Narrow, Wide>]\n[Flatten]\n[Dense(2)]\npublic partial class ConcatOfBranches { }" },
        { "BlockAtTwoShapes", "[Block]\n[Conv2D(4, 3, Padding = Padding.Same)]\n[BatchNorm]\npublic partial class Unit { }\n\n[Input(8, 8, 1)]\n[Use<Unit>]\n[MaxPool2D]\n[Use<Unit>(Repeat = 2)]\n[Flatten]\n[Dense(2)]\npublic partial class BlockAtTwoShapes { }" },
    };

    [Theory]
    [MemberData(nameof(Composites))]
    public void GeneratedModelsAndBlocksMatchSnapshotsAndCompileWithoutWarnings(string name, string declaration)
    {
        var run = GeneratorHarness.Run(Usings + declaration);

        Assert.Empty(run.LayerDslDiagnostics);
        Assert.Empty(run.CompilerDiagnostics);
        foreach (var (hint, source) in run.GeneratedSources.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            Snapshot.Verify(source, name + "." + hint.Replace("Demo.", string.Empty).Replace(".g.cs", string.Empty));
        }
    }

    [Fact]
    public void ModelsInTheGlobalNamespaceAndNestedInPartialTypesGetQualifiedHintNames()
    {
        var run = GeneratorHarness.Run(
            "using LayerDsl;\n[Input(4, 4, 1)][Dense(2)] public partial class Top { }\n" +
            "namespace A.B { public partial class Outer { public partial record Inner { [Input(4, 4, 1)][Dense(2)] public partial class Net { } } } }");

        Assert.Equal(new[] { "A.B.Outer.Inner.Net.g.cs", "Top.g.cs" }, run.GeneratedSources.Keys.OrderBy(k => k, StringComparer.Ordinal));
        Assert.Empty(run.CompilerDiagnostics);
    }
}
