using System.Linq;
using LayerDsl.Modules;
using Onnx;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace LayerDsl.Export.Tests;

/// <summary>The LayerDsl modules in standard ONNX operators agree with their TorchSharp forward.</summary>
public sealed class LayerDslModuleExportTests(ITestOutputHelper output)
{
    public static TheoryData<int> Opsets => new() { OnnxGraphBuilder.MinimumOpset, OnnxGraphBuilder.MaximumOpset };

    private void Check(string what, int opset, long[] sampleShape, nn.Module<Tensor, Tensor> module,
        DeformConvLowering lowering = DeformConvLowering.Auto)
    {
        double difference = OnnxCheck.Agrees(opset, sampleShape,
            (b, x) => module is DeformConv2d deform ? b.DeformConv2d(x, deform, "layer1", lowering) : b.Module(x, module, "layer1"),
            module.call);
        output.WriteLine($"{what} (opset {opset}, {lowering}): largest difference {difference:E2} of the output's scale");
    }

    [Theory]
    [MemberData(nameof(Opsets))]
    public void MaskedConv2d_the_origin_layer(int opset)
    {
        using var layer = new MaskedConv2d(1, 8, 5);
        Check("MaskedConv2d(1 -> 8, k 5), tanh mask, ReLU", opset, new long[] { 1, 12, 12 }, layer);
    }

    [Theory]
    [MemberData(nameof(Opsets))]
    public void MaskedConv2d_with_channels_stride_padding_sigmoid_mask_and_bias(int opset)
    {
        using var layer = new MaskedConv2d(3, 4, 3, stride: 2, padding: 1, maskActivation: MaskActivation.Sigmoid,
            activation: Activation.Tanh, bias: true);
        OnnxCheck.Randomize(layer, std: 0.4);
        Check("MaskedConv2d(3 -> 4, k 3, s 2, p 1), sigmoid mask, tanh, bias", opset, new long[] { 3, 9, 8 }, layer);
    }

    [Fact]
    public void MaskedConv2d_unfolds_with_a_one_hot_grouped_convolution()
    {
        using var layer = new MaskedConv2d(2, 3, 3);
        var builder = new OnnxGraphBuilder();
        builder.Output(builder.MaskedConv2d(builder.Input("input", 2, 6, 6), layer, "maskedConv1"));
        var graph = ModelProto.Parser.ParseFrom(builder.ToByteArray()).Graph;

        var unfold = graph.Node.Single(n => n.Name == "maskedConv1/unfold");
        Assert.Equal("Conv", unfold.OpType);
        Assert.Equal(2, unfold.Attribute.Single(a => a.Name == "group").I);
        var kernel = graph.Initializer.Single(i => i.Name == unfold.Input[1]);
        Assert.Equal(new long[] { 18, 1, 3, 3 }, kernel.Dims);
        float[] values = MemoryMarshalFloats(kernel);
        Assert.Equal(18, values.Count(v => v == 1f));
        Assert.Equal(18 * 9 - 18, values.Count(v => v == 0f));
        // Only standard operators, no custom domain.
        Assert.All(graph.Node, n => Assert.Equal("", n.Domain));
        Assert.Contains(graph.Initializer, i => i.Name == "maskedConv1.mask.weight");
    }

    [Theory]
    [InlineData(OnnxGraphBuilder.MinimumOpset, DeformConvLowering.Auto)]
    [InlineData(19, DeformConvLowering.Auto)]
    [InlineData(OnnxGraphBuilder.MaximumOpset, DeformConvLowering.Auto)]
    [InlineData(OnnxGraphBuilder.MaximumOpset, DeformConvLowering.GridSample)]
    public void DeformConv2d_modulated_with_offsets_that_leave_the_image(int opset, DeformConvLowering lowering)
    {
        using var layer = new DeformConv2d(4, 6, 3, stride: 2, padding: 1, dilation: 2, offsetGroups: 2, groups: 2,
            activation: Activation.ReLU);
        // Offsets of a few pixels, so samples fall between pixels and outside the image.
        OnnxCheck.Randomize(layer, std: 0.3);
        Check("DeformConv2d(4 -> 6, k 3, s 2, p 1, d 2, 2 offset groups, groups 2), modulated, ReLU", opset, new long[] { 4, 11, 9 }, layer, lowering);
    }

    [Theory]
    [InlineData(OnnxGraphBuilder.MinimumOpset, DeformConvLowering.Auto)]
    [InlineData(19, DeformConvLowering.DeformConvOperator)]
    public void DeformConv2d_unmodulated_without_bias_non_square(int opset, DeformConvLowering lowering)
    {
        using var layer = new DeformConv2d(3, 5, 3, modulated: false, bias: false);
        OnnxCheck.Randomize(layer, std: 0.3);
        Check("DeformConv2d(3 -> 5, k 3), unmodulated, no bias", opset, new long[] { 3, 8, 13 }, layer, lowering);
    }

    [Theory]
    [InlineData(OnnxGraphBuilder.MinimumOpset, "GridSample")]
    [InlineData(19, "DeformConv")]
    public void DeformConv2d_chooses_its_operators_by_opset(int opset, string sampler)
    {
        using var layer = new DeformConv2d(2, 2, 3);
        var builder = new OnnxGraphBuilder(opset);
        builder.Output(builder.DeformConv2d(builder.Input("input", 2, 5, 5), layer, "deform1"));
        var operators = ModelProto.Parser.ParseFrom(builder.ToByteArray()).Graph.Node.Select(n => n.OpType).ToList();
        Assert.Contains(sampler, operators);
        Assert.DoesNotContain(sampler == "DeformConv" ? "GridSample" : "DeformConv", operators);
    }

    [Fact]
    public void DeformConv_operator_below_opset_19_is_refused_naming_the_layer()
    {
        using var layer = new DeformConv2d(2, 2, 3);
        var builder = new OnnxGraphBuilder(17);
        string x = builder.Input("input", 2, 5, 5);
        var error = Assert.Throws<System.NotSupportedException>(() => builder.DeformConv2d(x, layer, "deform1", DeformConvLowering.DeformConvOperator));
        Assert.Contains("'deform1'", error.Message);
        Assert.Contains("opset 19", error.Message);
    }

    private static float[] MemoryMarshalFloats(TensorProto tensor) =>
        System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray();
}
