using System;
using System.IO;
using System.Linq;
using LayerDsl.Modules;
using Onnx;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace LayerDsl.Export.Tests;

/// <summary>The builder chains values, names its inputs and outputs, reports what it cannot export and writes atomically.</summary>
public sealed class GraphBuilderTests(ITestOutputHelper output)
{
    [Fact]
    public void A_residual_block_and_a_two_branch_concat_chain_their_values()
    {
        // stem -> [conv -> BN -> ReLU -> conv] + stem -> ReLU -> concat(masked conv branch, pooled branch) -> GAP -> dense
        using var stem = nn.Conv2d(2, 4, 3, padding: 1);
        using var inner1 = nn.Conv2d(4, 4, 3, padding: 1);
        using var norm = nn.BatchNorm2d(4);
        using var inner2 = nn.Conv2d(4, 4, 3, padding: 1, bias: false);
        using var masked = new MaskedConv2d(4, 3, 3, padding: 1);
        using var branch = nn.Conv2d(4, 5, 1);
        using var dense = nn.Linear(8, 3);
        OnnxCheck.Randomize(norm);
        norm.eval();

        var builder = new OnnxGraphBuilder(graphName: "Composite");
        string x = builder.Input("input", 2, 10, 10);
        string s = builder.Relu(builder.Conv2d(x, stem, "stem"));
        string r = builder.Conv2d(builder.Relu(builder.BatchNorm(builder.Conv2d(s, inner1, "block.conv1"), norm, "block.norm")), inner2, "block.conv2");
        string sum = builder.Relu(builder.Add(r, s, "residual"));
        string joined = builder.Concat(new[] { builder.MaskedConv2d(sum, masked, "left"), builder.Conv2d(builder.MaxPool2d(sum, (3, 3), (1, 1), (1, 1)), branch, "right") }, "join");
        string logits = builder.Linear(builder.GlobalAvgPool(joined), dense, "dense");
        Assert.Equal(new long[] { 3 }, builder.ShapeOf(logits));
        builder.Output(builder.Softmax(logits));

        double difference = OnnxCheck.Agrees(builder, new long[] { 2, 10, 10 }, input =>
        {
            Tensor a = F.relu(stem.call(input));
            Tensor b = F.relu(inner2.call(F.relu(norm.call(inner1.call(a)))) + a);
            Tensor c = cat(new[] { masked.call(b), branch.call(F.max_pool2d(b, 3, 1, 1)) }, 1);
            return dense.call(c.mean(new long[] { 2, 3 })).softmax(1);
        });
        output.WriteLine($"residual + concat graph: largest difference {difference:E2} of the output's scale");

        var graph = ModelProto.Parser.ParseFrom(builder.ToByteArray()).Graph;
        var add = graph.Node.Single(n => n.Name == "residual");
        Assert.Equal(new[] { "block.conv2", "relu1" }, add.Input);
        Assert.Equal(new[] { "left", "right" }, graph.Node.Single(n => n.Name == "join").Input);
    }

    [Fact]
    public void The_model_has_a_named_input_and_output_with_a_dynamic_batch()
    {
        using var dense = nn.Linear(12, 4);
        var builder = new OnnxGraphBuilder(graphName: "Tiny");
        builder.Output(builder.Linear(builder.Input("input", 3, 2, 2), dense, "dense1"));
        var model = ModelProto.Parser.ParseFrom(builder.ToByteArray());

        Assert.Equal(8, model.IrVersion);
        Assert.Equal(17, model.OpsetImport.Single().Version);
        Assert.Equal("LayerDsl", model.ProducerName);
        Assert.Equal("Tiny", model.Graph.Name);
        AssertValue(model.Graph.Input.Single(), "input", 3, 2, 2);
        AssertValue(model.Graph.Output.Single(), "output", 4);
        Assert.Equal(new[] { "dense1.weight", "dense1.bias" }, model.Graph.Initializer.Select(i => i.Name));

        static void AssertValue(ValueInfoProto value, string name, params long[] sample)
        {
            Assert.Equal(name, value.Name);
            var dims = value.Type.TensorType.Shape.Dim;
            Assert.Equal(OnnxGraphBuilder.BatchDimension, dims[0].DimParam);
            Assert.Equal(sample, dims.Skip(1).Select(d => d.DimValue));
            Assert.Equal((int)TensorProto.Types.DataType.Float, value.Type.TensorType.ElemType);
        }
    }

    [Fact]
    public void Initializers_hold_the_weights_at_the_time_the_layer_was_added()
    {
        using var conv = nn.Conv2d(1, 2, 3);
        var builder = new OnnxGraphBuilder();
        builder.Output(builder.Conv2d(builder.Input("input", 1, 5, 5), conv, "conv1"));
        float[] expected = conv.weight!.data<float>().ToArray();
        using (no_grad())
            conv.weight!.fill_(7);

        var weight = ModelProto.Parser.ParseFrom(builder.ToByteArray()).Graph.Initializer.Single(i => i.Name == "conv1.weight");
        Assert.Equal(new long[] { 2, 1, 3, 3 }, weight.Dims);
        Assert.Equal(expected, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(weight.RawData.Span).ToArray());
    }

    [Fact]
    public void A_user_layer_without_an_export_is_reported_naming_it_and_the_fix()
    {
        using var custom = new Doubler();
        var builder = new OnnxGraphBuilder();
        string x = builder.Input("input", 4);
        var error = Assert.Throws<NotSupportedException>(() => builder.Module(x, custom, "custom1"));
        Assert.Contains("'custom1'", error.Message);
        Assert.Contains(typeof(Doubler).FullName!, error.Message);
        Assert.Contains(nameof(IOnnxExportable), error.Message);
    }

    [Fact]
    public void A_user_layer_with_its_own_export_is_exported()
    {
        using var custom = new ExportableDoubler();
        using var dense = nn.Linear(4, 2);
        var builder = new OnnxGraphBuilder();
        string y = builder.Module(builder.Input("input", 4), custom, "double1");
        Assert.Equal("double1", y);
        builder.Output(builder.Linear(y, dense, "dense1"));
        OnnxCheck.Agrees(builder, new long[] { 4 }, x => dense.call(custom.call(x)));
    }

    [Fact]
    public void Shape_mismatches_name_the_layer_and_both_shapes()
    {
        using var conv = nn.Conv2d(3, 4, 3);
        using var dense = nn.Linear(100, 2);
        var builder = new OnnxGraphBuilder();
        string x = builder.Input("input", 1, 28, 28);

        var channels = Assert.Throws<ArgumentException>(() => builder.Conv2d(x, conv, "conv1"));
        Assert.Contains("'conv1'", channels.Message);
        Assert.Contains("3 channels", channels.Message);
        Assert.Contains("[-1, 1, 28, 28]", channels.Message);

        var features = Assert.Throws<ArgumentException>(() => builder.Linear(x, dense, "dense1"));
        Assert.Contains("'dense1'", features.Message);
        Assert.Contains("1 x 28 x 28 = 784", features.Message);

        var unknown = Assert.Throws<ArgumentException>(() => builder.Relu("conv9", "relu1"));
        Assert.Contains("'conv9'", unknown.Message);
    }

    [Fact]
    public void Names_are_unique_and_generated_when_missing()
    {
        var builder = new OnnxGraphBuilder();
        string x = builder.Input("input", 4);
        Assert.Equal("relu1", builder.Relu(x));
        Assert.Equal("relu2", builder.Relu(x));
        var error = Assert.Throws<ArgumentException>(() => builder.Tanh(x, "relu1"));
        Assert.Contains("'relu1' is already used", error.Message);
    }

    [Fact]
    public void Unsupported_settings_are_refused_before_anything_is_written()
    {
        var builder = new OnnxGraphBuilder();
        string image = builder.Input("input", 2, 8, 8);
        using var circular = nn.Conv2d(2, 2, 3, padding: 1, padding_mode: PaddingModes.Circular);
        Assert.Contains("circular", Assert.Throws<NotSupportedException>(() => builder.Conv2d(image, circular, "conv1")).Message, StringComparison.OrdinalIgnoreCase);
        using var unequal = nn.ConvTranspose2d(2, 2, (3, 3), stride: (2, 2), output_padding: (1, 0));
        Assert.Contains("'deconv1'", Assert.Throws<NotSupportedException>(() => builder.ConvTranspose2d(image, unequal, "deconv1")).Message);
        using var ceil = nn.AvgPool2d(2, ceil_mode: true);
        Assert.Contains("ceil mode", Assert.Throws<NotSupportedException>(() => builder.AvgPool2d(image, ceil, "avgPool1")).Message);
        using var noStats = nn.BatchNorm2d(2, track_running_stats: false);
        Assert.Contains("running statistics", Assert.Throws<NotSupportedException>(() => builder.BatchNorm(image, noStats, "norm1")).Message);
        using var bicubic = nn.Upsample(scale_factor: new[] { 2.0, 2.0 }, mode: UpsampleMode.Bicubic);
        Assert.Contains("Bicubic", Assert.Throws<NotSupportedException>(() => builder.Module(image, bicubic, "up1")).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new OnnxGraphBuilder(16));
        Assert.Throws<InvalidOperationException>(() => builder.ToByteArray());
    }

    [Fact]
    public void Save_replaces_the_file_atomically_and_leaves_no_temporary_file()
    {
        string folder = Path.Combine(Path.GetTempPath(), $"layerdsl-onnx-{Guid.NewGuid():N}");
        try
        {
            string path = Path.Combine(folder, "nested", "model.onnx");
            var builder = new OnnxGraphBuilder();
            builder.Output(builder.Relu(builder.Input("input", 3)));
            builder.Save(path);
            builder.Save(path);

            Assert.Equal(builder.ToByteArray(), File.ReadAllBytes(path));
            Assert.Equal(new[] { path }, Directory.GetFiles(Path.GetDirectoryName(path)!));
        }
        finally
        {
            if (Directory.Exists(folder))
                Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>A user's module with no export.</summary>
    private sealed class Doubler() : nn.Module<Tensor, Tensor>(nameof(Doubler))
    {
        public override Tensor forward(Tensor input) => input * 2;
    }

    /// <summary>A user's module that describes itself as x + x.</summary>
    private sealed class ExportableDoubler() : nn.Module<Tensor, Tensor>(nameof(ExportableDoubler)), IOnnxExportable
    {
        public override Tensor forward(Tensor input) => input * 2;

        public string ExportOnnx(OnnxGraphBuilder builder, string input, string name) =>
            builder.Node("Add", new[] { input, input }, builder.ShapeOf(input), name);
    }
}
