using System;
using System.Linq;
using LayerDsl.Modules;
using Onnx;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace LayerDsl.Export.Tests;

/// <summary>
/// The sequence modules and <see cref="Branches"/> export themselves (<see cref="IOnnxExportable"/>) and agree with
/// their TorchSharp forward in ONNX Runtime, at batch sizes 1 and 3 and the oldest and newest opset.
/// </summary>
public sealed class SequenceModuleExportTests(ITestOutputHelper output)
{
    public static TheoryData<int> Opsets => new() { OnnxGraphBuilder.MinimumOpset, OnnxGraphBuilder.MaximumOpset };

    public static TheoryData<int, bool, bool> Recurrences
    {
        get
        {
            var data = new TheoryData<int, bool, bool>();
            foreach (int opset in new[] { OnnxGraphBuilder.MinimumOpset, OnnxGraphBuilder.MaximumOpset })
                foreach (bool sequences in new[] { false, true })
                    foreach (bool bidirectional in new[] { false, true })
                        data.Add(opset, sequences, bidirectional);
            return data;
        }
    }

    public static TheoryData<int, Activation> DenseActivations
    {
        get
        {
            var data = new TheoryData<int, Activation>();
            foreach (int opset in new[] { OnnxGraphBuilder.MinimumOpset, OnnxGraphBuilder.MaximumOpset })
                foreach (var activation in new[] { Activation.None, Activation.ReLU, Activation.Softmax, Activation.GELU })
                    data.Add(opset, activation);
            return data;
        }
    }

    private void Check(string what, int opset, long[] sampleShape, nn.Module<Tensor, Tensor> module, long vocab = 0)
    {
        OnnxCheck.Randomize(module);
        module.eval();
        double difference = vocab > 0
            ? OnnxCheck.AgreesOnTokens(opset, sampleShape, vocab, (b, x) => b.Module(x, module, "layer1"), module.call)
            : OnnxCheck.Agrees(opset, sampleShape, (b, x) => b.Module(x, module, "layer1"), module.call);
        output.WriteLine($"{what} (opset {opset}): largest difference {difference:E2} of the output's scale");
    }

    [Theory]
    [MemberData(nameof(Opsets))]
    public void TokenEmbedding_gathers_the_rows_of_int64_token_ids(int opset)
    {
        using var layer = new TokenEmbedding(11, 6);
        Check("TokenEmbedding(11, 6) on [7] token ids", opset, new long[] { 7 }, layer, vocab: 11);
    }

    [Theory]
    [MemberData(nameof(Opsets))]
    public void PositionalEmbedding_adds_its_table_to_every_sequence(int opset)
    {
        using var layer = new PositionalEmbedding(5, 4);
        Check("PositionalEmbedding(5, 4)", opset, new long[] { 5, 4 }, layer);
    }

    [Theory]
    [MemberData(nameof(DenseActivations))]
    public void PositionwiseDense_on_every_position_then_its_activation(int opset, Activation activation)
    {
        // Softmax runs over dimension 1, here the positions, as generated models apply it.
        using var layer = new PositionwiseDense(6, 4, activation);
        Check($"PositionwiseDense(6, 4, {activation}) on [5, 6]", opset, new long[] { 5, 6 }, layer);
    }

    [Theory]
    [MemberData(nameof(Opsets))]
    public void PositionwiseDense_on_features_and_on_a_rank_three_sample(int opset)
    {
        using var flat = new PositionwiseDense(6, 3, Activation.Tanh);
        Check("PositionwiseDense(6, 3, Tanh) on [6]", opset, new long[] { 6 }, flat);
        using var deep = new PositionwiseDense(5, 2);
        Check("PositionwiseDense(5, 2) on [3, 4, 5]", opset, new long[] { 3, 4, 5 }, deep);
    }

    [Theory]
    [MemberData(nameof(Recurrences))]
    public void LstmLayer_as_the_onnx_LSTM_operator(int opset, bool returnSequences, bool bidirectional)
    {
        using var layer = new LstmLayer(5, 4, returnSequences, bidirectional);
        Check($"LstmLayer(5, 4, returnSequences {returnSequences}, bidirectional {bidirectional}) on [7, 5]", opset,
            new long[] { 7, 5 }, layer);
    }

    [Theory]
    [MemberData(nameof(Recurrences))]
    public void GruLayer_as_the_onnx_GRU_operator(int opset, bool returnSequences, bool bidirectional)
    {
        using var layer = new GruLayer(5, 4, returnSequences, bidirectional);
        Check($"GruLayer(5, 4, returnSequences {returnSequences}, bidirectional {bidirectional}) on [7, 5]", opset,
            new long[] { 7, 5 }, layer);
    }

    [Theory]
    [MemberData(nameof(Opsets))]
    public void SelfAttention_with_derived_and_explicit_key_sizes(int opset)
    {
        using var two = new SelfAttention(8, 2);
        Check("SelfAttention(8, 2) on [5, 8]", opset, new long[] { 5, 8 }, two);
        using var explicitKeys = new SelfAttention(6, 3, keyDim: 5);
        Check("SelfAttention(6, 3, keyDim 5) on [4, 6]", opset, new long[] { 4, 6 }, explicitKeys);
        using var single = new SelfAttention(4, 1);
        Check("SelfAttention(4, 1) on [1, 4]", opset, new long[] { 1, 4 }, single);
    }

    [Theory]
    [MemberData(nameof(Opsets))]
    public void A_sequence_model_from_tokens_to_a_final_state(int opset)
    {
        using var model = nn.Sequential(
            ("embedding1", new TokenEmbedding(20, 8)),
            ("positions1", new PositionalEmbedding(6, 8)),
            ("attention1", new SelfAttention(8, 2)),
            ("dense1", new PositionwiseDense(8, 5, Activation.ReLU)),
            ("gru1", new GruLayer(5, 3, returnSequences: true)),
            ("lstm1", new LstmLayer(3, 4, bidirectional: true)));
        Check("Embedding, PositionalEmbedding, MultiHeadAttention, PositionwiseDense, GRU, bidirectional LSTM", opset,
            new long[] { 6 }, model, vocab: 20);
    }

    [Theory]
    [MemberData(nameof(Opsets))]
    public void Branches_concatenate_or_sum_their_exported_branches(int opset)
    {
        using var concat = new Branches("concat1", BranchMerge.Concat,
            ("branchA", nn.Conv2d(2, 3, 3, padding: 1)),
            ("branchB", new MaskedConv2d(2, 4, 3, padding: 1, bias: true)));
        Check("Branches Concat(Conv2d, MaskedConv2d)", opset, new long[] { 2, 6, 5 }, concat);
        using var sum = new Branches("add1", BranchMerge.Sum,
            ("left", nn.Conv2d(2, 3, 1)),
            ("middle", nn.Sequential(nn.Conv2d(2, 3, 3, padding: 1), nn.ReLU())),
            ("right", new MaskedConv2d(2, 3, 3, padding: 1, activation: Activation.None)));
        Check("Branches Sum(Conv2d, Sequential, MaskedConv2d)", opset, new long[] { 2, 5, 5 }, sum);
        Assert.Equal(BranchMerge.Sum, sum.Merge);
    }

    [Fact]
    public void The_recurrent_export_is_one_LSTM_node_with_regrouped_gates_and_int64_tokens_stay_int64()
    {
        using var embedding = new TokenEmbedding(10, 3);
        using var lstm = new LstmLayer(3, 2, bidirectional: true);
        var builder = new OnnxGraphBuilder();
        string x = builder.Module(builder.Int64Input("tokens", 4), embedding, "embedding1");
        builder.Output(builder.Module(x, lstm, "lstm1"));
        var graph = ModelProto.Parser.ParseFrom(builder.ToByteArray()).Graph;

        Assert.Equal((int)TensorProto.Types.DataType.Int64, graph.Input.Single().Type.TensorType.ElemType);
        var node = graph.Node.Single(n => n.OpType == "LSTM");
        Assert.Equal("bidirectional", node.Attribute.Single(a => a.Name == "direction").S.ToStringUtf8());
        Assert.Equal(2, node.Attribute.Single(a => a.Name == "hidden_size").I);
        Assert.Equal(new[] { "", "lstm1/final_state" }, node.Output);
        Assert.Equal(new long[] { 2, 8, 3 }, graph.Initializer.Single(i => i.Name == "lstm1.W").Dims);

        // ONNX's gate order i, o, f, c: its second block of rows is PyTorch's fourth (o).
        var parameters = lstm.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
        float[] w = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(
            graph.Initializer.Single(i => i.Name == "lstm1.W").RawData.Span).ToArray();
        float[] outputGate = parameters["lstm.weight_ih_l0"][6..8].contiguous().data<float>().ToArray();
        Assert.Equal(outputGate, w.Skip(2 * 3).Take(2 * 3));
        Assert.All(graph.Node, n => Assert.Equal("", n.Domain));
    }

    [Fact]
    public void Token_ids_and_float_values_are_each_refused_where_the_other_belongs()
    {
        using var embedding = new TokenEmbedding(10, 4);
        using var positions = new PositionalEmbedding(3, 4);
        var builder = new OnnxGraphBuilder();
        string floats = builder.Input("values", 3);
        string tokens = builder.Int64Input("tokens", 3);

        var floatError = Assert.Throws<ArgumentException>(() => builder.Module(floats, embedding, "embedding1"));
        Assert.Contains("'embedding1' (TokenEmbedding)", floatError.Message);
        Assert.Contains("Int64Input", floatError.Message);

        var tokenError = Assert.Throws<ArgumentException>(() => builder.Module(tokens, positions, "positions1"));
        Assert.Contains("'positions1'", tokenError.Message);
        Assert.Contains("int64 token ids", tokenError.Message);
        Assert.True(builder.IsInt64(tokens));
        Assert.False(builder.IsInt64(floats));
    }

    [Fact]
    public void A_sequence_layer_on_the_wrong_shape_is_refused_naming_both_shapes()
    {
        using var lstm = new LstmLayer(5, 4);
        using var attention = new SelfAttention(8, 2);
        using var dense = new PositionwiseDense(6, 2);
        using var positions = new PositionalEmbedding(5, 4);
        var builder = new OnnxGraphBuilder();
        string x = builder.Input("input", 7, 6);

        var lstmError = Assert.Throws<ArgumentException>(() => builder.Module(x, lstm, "lstm1"));
        Assert.Contains("'lstm1' (LstmLayer) expects 5 features per step", lstmError.Message);
        Assert.Contains("[-1, 7, 6]", lstmError.Message);
        var attentionError = Assert.Throws<ArgumentException>(() => builder.Module(x, attention, "attention1"));
        Assert.Contains("expects 8 features per position", attentionError.Message);
        var positionsError = Assert.Throws<ArgumentException>(() => builder.Module(x, positions, "positions1"));
        Assert.Contains("[-1, 5, 4]", positionsError.Message);
        var denseError = Assert.Throws<ArgumentException>(() => builder.Module(builder.Input("other", 7, 5), dense, "dense1"));
        Assert.Contains("expects 6 features in the last dimension", denseError.Message);
    }
}
