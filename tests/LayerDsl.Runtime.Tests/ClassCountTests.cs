using System;
using LayerDsl.Runtime.Tests.Fixtures;
using LayerDsl.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace LayerDsl.Runtime.Tests;

/// <summary>A model whose output is a feature map, not one logit per class.</summary>
[Input(6, 5, 1)]
[Conv2D(2, 3)]
public partial class FeatureMapNet
{
}

/// <summary>
/// Where the trainer and the evaluator read a classifier's number of classes from, and how they check labels against it:
/// every refusal word for word, and the model's mode left as it was found.
/// </summary>
public sealed class ClassCountTests
{
    /// <summary>A module that is not a LayerDsl model: its output for <c>[N, ...]</c> is zeros of <c>[N, ..outputShape]</c>.</summary>
    private sealed class ZerosOf : nn.Module<Tensor, Tensor>
    {
        private readonly long[] outputShape;

        public ZerosOf(params long[] outputShape)
            : base(nameof(ZerosOf))
        {
            this.outputShape = outputShape;
        }

        public bool SawTraining { get; private set; }

        public bool SawGradients { get; private set; }

        public override Tensor forward(Tensor input)
        {
            SawTraining = training;
            SawGradients = is_grad_enabled();
            var shape = new long[outputShape.Length + 1];
            shape[0] = input.shape[0];
            outputShape.CopyTo(shape, 1);
            return zeros(shape);
        }
    }

    [Fact]
    public void A_layerdsl_model_declares_its_classes_in_its_output_shape()
    {
        using var model = new TinyConvNet(classes: 4);
        using var noInputs = zeros(0, 1, 28, 28);

        var classes = ClassCount.Of(model, "TinyConvNet", noInputs, device: null);

        Assert.Equal(new ClassCount(4, "from its output shape [4]"), classes);
    }

    [Fact]
    public void A_layerdsl_model_whose_output_is_not_one_logit_per_class_is_refused()
    {
        using var model = new FeatureMapNet();
        using var inputs = zeros(3, 1, 6, 5);

        var error = Assert.Throws<DataMismatchException>(() => ClassCount.Of(model, "FeatureMapNet", inputs, device: null));

        Assert.Equal("FeatureMapNet's output shape is [2, 4, 3]; a classifier's output must be [classes], one logit per class (end the model with a Dense layer of that many units)", error.Message);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Any_other_module_is_measured_on_one_input_in_eval_mode_without_gradients_and_left_as_found(bool training)
    {
        using var model = new ZerosOf(7);
        model.train(training);
        using var inputs = zeros(5, 3);

        var classes = ClassCount.Of(model, "ZerosOf", inputs, device: null);

        Assert.Equal(new ClassCount(7, "from the width of its output on the first input"), classes);
        Assert.False(model.SawTraining);
        Assert.False(model.SawGradients);
        Assert.Equal(training, model.training);
        Assert.True(is_grad_enabled());
    }

    [Fact]
    public void Any_other_module_without_inputs_to_measure_on_is_refused()
    {
        using var model = new ZerosOf(7);
        using var inputs = zeros(0, 3);

        var error = Assert.Throws<DataMismatchException>(() => ClassCount.Of(model, "ZerosOf", inputs, device: null));

        Assert.Equal("ZerosOf does not declare its number of classes and there is no input to measure its output on", error.Message);
    }

    [Theory]
    [InlineData(new long[] { 4, 2 }, "[1, 4, 2]")]
    [InlineData(new long[0], "[1]")]
    public void Any_other_module_whose_output_is_not_batch_by_classes_is_refused_and_left_as_found(long[] outputShape, string shown)
    {
        using var model = new ZerosOf(outputShape);
        model.train();
        using var inputs = zeros(5, 3);

        var error = Assert.Throws<DataMismatchException>(() => ClassCount.Of(model, "ZerosOf", inputs, device: null));

        Assert.Equal($"ZerosOf's output for one input has shape {shown}; a classifier's output must be [batch, classes], one logit per class", error.Message);
        Assert.True(model.training);
    }

    private static readonly ClassCount Three = new(3, "from its output shape [3]");

    [Theory]
    [InlineData(new long[] { 0, 1, 2, 2, 1 })]
    [InlineData(new long[] { 2 })]
    public void Labels_within_the_classes_pass(long[] values)
    {
        using var labels = tensor(values);
        Three.CheckLabels(labels, values.Length, "training", "Net");
    }

    [Fact]
    public void No_labels_for_no_inputs_pass()
    {
        using var labels = zeros(0, dtype: ScalarType.Int64);
        Three.CheckLabels(labels, 0, "test", "Net");
    }

    [Theory]
    [InlineData(new long[] { 0, 1, 3, 2 }, "training label 3 at index 2 is outside 0-2")]
    [InlineData(new long[] { 0, 1, 2, -1, 5 }, "training label -1 at index 3 is outside 0-2")]
    [InlineData(new long[] { 7, -1 }, "training label 7 at index 0 is outside 0-2")]
    public void The_first_label_outside_the_classes_is_named_with_its_index_and_where_the_count_came_from(long[] values, string start)
    {
        using var labels = tensor(values);

        var error = Assert.Throws<DataMismatchException>(() => Three.CheckLabels(labels, values.Length, "training", "Net"));

        Assert.Equal(start + ": Net has 3 classes (from its output shape [3]); labels must be class indices below that", error.Message);
    }

    [Fact]
    public void Labels_that_are_not_int64_are_refused_with_the_conversion()
    {
        using var labels = tensor(new[] { 0, 1, 2 });

        var error = Assert.Throws<DataMismatchException>(() => Three.CheckLabels(labels, 3, "test", "Net"));

        Assert.Equal("the test labels are Int32; they must be int64 class indices (convert them with labels.to_type(ScalarType.Int64))", error.Message);
    }

    [Fact]
    public void Labels_that_are_not_one_dimensional_are_refused()
    {
        using var labels = zeros(new long[] { 3, 1 }, ScalarType.Int64);

        var error = Assert.Throws<DataMismatchException>(() => Three.CheckLabels(labels, 3, "test", "Net"));

        Assert.Equal("the test labels have shape [3, 1]; they must be [N], one class index per input", error.Message);
    }

    [Theory]
    [InlineData(4, 3)]
    [InlineData(2, 3)]
    [InlineData(0, 1)]
    public void Labels_and_inputs_must_be_as_many(long inputs, long labelCount)
    {
        using var labels = zeros(labelCount, dtype: ScalarType.Int64);

        var error = Assert.Throws<DataMismatchException>(() => Three.CheckLabels(labels, inputs, "training", "Net"));

        Assert.Equal($"{inputs} training inputs but {labelCount} training labels; every input needs one label", error.Message);
    }
}
