using System;

namespace LayerDsl.Export;

public sealed partial class OnnxGraphBuilder
{
    /// <summary>
    /// A DSL activation as generated models apply it: <see cref="Activation.None"/> adds nothing; the others as their
    /// own methods (softmax over dimension 1, leaky ReLU with slope 0.01, ELU with alpha 1, exact GELU).
    /// </summary>
    /// <param name="input">A value.</param>
    /// <param name="activation">The activation.</param>
    /// <param name="name">The layer's name; generated from the activation when null.</param>
    /// <returns>The output value (<paramref name="input"/> for none).</returns>
    /// <exception cref="ArgumentOutOfRangeException">An activation this version does not know.</exception>
    public string Activation(string input, Activation activation, string? name = null)
    {
        if (activation == LayerDsl.Activation.None)
            return PassThrough(input, name ?? "activation");
        if (!Enum.IsDefined(activation))
            throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        string layer = LayerName(name, activation switch
        {
            LayerDsl.Activation.LeakyReLU => "leakyRelu",
            LayerDsl.Activation.Hardswish => "hardSwish",
            _ => activation.ToString().ToLowerInvariant(),
        });
        return EmitActivation(layer, input, Shape(input, layer), activation);
    }

    /// <summary>max(0, x), as ONNX <c>Relu</c>.</summary>
    /// <param name="input">A value.</param>
    /// <param name="name">The layer's name; <c>reluN</c> when null.</param>
    /// <returns>The output value.</returns>
    public string Relu(string input, string? name = null) => Unary(input, name, "Relu", "relu");

    /// <summary>tanh(x), as ONNX <c>Tanh</c>.</summary>
    /// <param name="input">A value.</param>
    /// <param name="name">The layer's name; <c>tanhN</c> when null.</param>
    /// <returns>The output value.</returns>
    public string Tanh(string input, string? name = null) => Unary(input, name, "Tanh", "tanh");

    /// <summary>1 / (1 + e^-x), as ONNX <c>Sigmoid</c>.</summary>
    /// <param name="input">A value.</param>
    /// <param name="name">The layer's name; <c>sigmoidN</c> when null.</param>
    /// <returns>The output value.</returns>
    public string Sigmoid(string input, string? name = null) => Unary(input, name, "Sigmoid", "sigmoid");

    /// <summary>Softmax along one dimension (1, channels or features, by default), as ONNX <c>Softmax</c>.</summary>
    /// <param name="input">A value.</param>
    /// <param name="dim">The dimension, counting the batch as 0; negative counts from the end; not the batch.</param>
    /// <param name="name">The layer's name; <c>softmaxN</c> when null.</param>
    /// <returns>The output value.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The dimension is the batch or outside the value.</exception>
    public string Softmax(string input, long dim = 1, string? name = null)
    {
        string layer = LayerName(name, "softmax");
        long[] shape = Shape(input, layer);
        return EmitSoftmax(layer, input, shape, dim);
    }

    private string EmitSoftmax(string layer, string input, long[] shape, long dim)
    {
        long rank = shape.Length + 1;
        if (dim < -rank || dim >= rank || dim == 0 || dim == -rank)
            throw new ArgumentOutOfRangeException(nameof(dim), dim,
                $"The layer '{layer}' (Softmax) cannot run along dimension {dim} of a {rank}-D value: use 1 to {rank - 1} (0 is the batch).");
        return Final(layer, "Softmax", new[] { input }, shape, OnnxAttribute.Int("axis", dim));
    }

    /// <summary>
    /// GELU. Exact, x Φ(x) = 0.5 x (1 + erf(x / √2)), as <c>Div</c>, <c>Erf</c>, <c>Add</c>, <c>Mul</c>, <c>Mul</c>
    /// (ONNX has a <c>Gelu</c> operator only from opset 20); with <paramref name="tanhApproximation"/>,
    /// 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³))) from <c>Mul</c>, <c>Add</c> and <c>Tanh</c>.
    /// </summary>
    /// <param name="input">A value.</param>
    /// <param name="tanhApproximation">Whether to use the tanh approximation (<c>approximate = 'tanh'</c>).</param>
    /// <param name="name">The layer's name; <c>geluN</c> when null.</param>
    /// <returns>The output value.</returns>
    public string Gelu(string input, bool tanhApproximation = false, string? name = null)
    {
        string layer = LayerName(name, "gelu");
        return EmitGelu(layer, input, Shape(input, layer), tanhApproximation);
    }

    private string EmitGelu(string layer, string input, long[] shape, bool tanhApproximation)
    {
        string inner;
        if (tanhApproximation)
        {
            string square = Step(layer, "square", "Mul", new[] { input, input }, shape);
            string cube = Step(layer, "cube", "Mul", new[] { square, input }, shape);
            string scaledCube = Step(layer, "scaled_cube", "Mul", new[] { cube, Scalar(layer, "c", 0.044715f) }, shape);
            string sum = Step(layer, "sum", "Add", new[] { input, scaledCube }, shape);
            string argument = Step(layer, "argument", "Mul", new[] { sum, Scalar(layer, "sqrt_2_over_pi", (float)Math.Sqrt(2 / Math.PI)) }, shape);
            inner = Step(layer, "tanh", "Tanh", new[] { argument }, shape);
        }
        else
        {
            string scaled = Step(layer, "scaled", "Div", new[] { input, Scalar(layer, "sqrt2", (float)Math.Sqrt(2)) }, shape);
            inner = Step(layer, "erf", "Erf", new[] { scaled }, shape);
        }
        string onePlus = Step(layer, "one_plus", "Add", new[] { inner, Scalar(layer, "one", 1f) }, shape);
        string product = Step(layer, "product", "Mul", new[] { input, onePlus }, shape);
        return Final(layer, "Mul", new[] { product, Scalar(layer, "half", 0.5f) }, shape);
    }

    /// <summary>SiLU (swish), x σ(x), as ONNX <c>Sigmoid</c> and <c>Mul</c>.</summary>
    /// <param name="input">A value.</param>
    /// <param name="name">The layer's name; <c>siluN</c> when null.</param>
    /// <returns>The output value.</returns>
    public string Silu(string input, string? name = null)
    {
        string layer = LayerName(name, "silu");
        return EmitSilu(layer, input, Shape(input, layer));
    }

    private string EmitSilu(string layer, string input, long[] shape)
    {
        string sigmoid = Step(layer, "sigmoid", "Sigmoid", new[] { input }, shape);
        return Final(layer, "Mul", new[] { input, sigmoid }, shape);
    }

    /// <summary>max(0, x) + slope min(0, x), as ONNX <c>LeakyRelu</c>.</summary>
    /// <param name="input">A value.</param>
    /// <param name="negativeSlope">The slope for negative inputs (PyTorch's default 0.01).</param>
    /// <param name="name">The layer's name; <c>leakyReluN</c> when null.</param>
    /// <returns>The output value.</returns>
    public string LeakyRelu(string input, double negativeSlope = 0.01, string? name = null) =>
        Unary(input, name, "LeakyRelu", "leakyRelu", OnnxAttribute.Float("alpha", (float)negativeSlope));

    /// <summary>x for x &gt; 0, α (e^x - 1) otherwise, as ONNX <c>Elu</c>.</summary>
    /// <param name="input">A value.</param>
    /// <param name="alpha">α (PyTorch's default 1).</param>
    /// <param name="name">The layer's name; <c>eluN</c> when null.</param>
    /// <returns>The output value.</returns>
    public string Elu(string input, double alpha = 1.0, string? name = null) =>
        Unary(input, name, "Elu", "elu", OnnxAttribute.Float("alpha", (float)alpha));

    /// <summary>x ReLU6(x + 3) / 6, as ONNX <c>HardSwish</c> (opset 14).</summary>
    /// <param name="input">A value.</param>
    /// <param name="name">The layer's name; <c>hardSwishN</c> when null.</param>
    /// <returns>The output value.</returns>
    public string HardSwish(string input, string? name = null) => Unary(input, name, "HardSwish", "hardSwish");

    private string Unary(string input, string? name, string opType, string prefix, params OnnxAttribute[] attributes)
    {
        string layer = LayerName(name, prefix);
        return Final(layer, opType, new[] { input }, Shape(input, layer), attributes);
    }

    /// <summary>The activation's nodes for a layer whose name is already reserved; the last output takes that name.</summary>
    private string EmitActivation(string layer, string input, long[] shape, Activation activation) => activation switch
    {
        LayerDsl.Activation.ReLU => Final(layer, "Relu", new[] { input }, shape),
        LayerDsl.Activation.Tanh => Final(layer, "Tanh", new[] { input }, shape),
        LayerDsl.Activation.Sigmoid => Final(layer, "Sigmoid", new[] { input }, shape),
        LayerDsl.Activation.Softmax => EmitSoftmax(layer, input, shape, 1),
        LayerDsl.Activation.GELU => EmitGelu(layer, input, shape, tanhApproximation: false),
        LayerDsl.Activation.SiLU => EmitSilu(layer, input, shape),
        LayerDsl.Activation.LeakyReLU => Final(layer, "LeakyRelu", new[] { input }, shape, OnnxAttribute.Float("alpha", 0.01f)),
        LayerDsl.Activation.ELU => Final(layer, "Elu", new[] { input }, shape, OnnxAttribute.Float("alpha", 1f)),
        LayerDsl.Activation.Hardswish => Final(layer, "HardSwish", new[] { input }, shape),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, $"The layer '{layer}' has an unknown activation."),
    };
}
