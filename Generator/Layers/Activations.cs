using LayerDsl.Generator.Helpers;

namespace LayerDsl.Generator.Layers;

/// <summary>How each activation is emitted.</summary>
internal static class Activations
{
    public const int MaxValue = (int)ActivationKind.Hardswish;

    /// <summary>The default negative slope of leaky ReLU (PyTorch's).</summary>
    public const double LeakySlope = 0.01;

    /// <summary>The default alpha of ELU.</summary>
    public const double EluAlpha = 1.0;

    /// <summary>
    /// The statement that applies <paramref name="activation"/> to <c>x</c>. With <paramref name="inPlace"/>, ReLU, tanh and
    /// sigmoid overwrite <c>x</c> (their gradients are read from the output, so autograd allows it): the caller guarantees
    /// that <c>x</c> was just made by the layer and that nothing else holds it. That saves one pass over the activations
    /// and one allocation of their size, forward and in evaluation.
    /// </summary>
    public static string? Statement(ActivationKind activation, double parameter = double.NaN, bool inPlace = false) => activation switch
    {
        ActivationKind.ReLU when inPlace => "x = x.relu_();",
        ActivationKind.Tanh when inPlace => "x = x.tanh_();",
        ActivationKind.Sigmoid when inPlace => "x = x.sigmoid_();",
        ActivationKind.ReLU => "x = global::TorchSharp.torch.nn.functional.relu(x);",
        ActivationKind.Tanh => "x = global::TorchSharp.torch.nn.functional.tanh(x);",
        ActivationKind.Sigmoid => "x = global::TorchSharp.torch.nn.functional.sigmoid(x);",
        ActivationKind.Softmax => "x = global::TorchSharp.torch.nn.functional.softmax(x, 1L);",
        ActivationKind.GELU => "x = global::TorchSharp.torch.nn.functional.gelu(x);",
        ActivationKind.SiLU => "x = global::TorchSharp.torch.nn.functional.silu(x);",
        ActivationKind.LeakyReLU => $"x = global::TorchSharp.torch.nn.functional.leaky_relu(x, {Format.DoubleLiteral(double.IsNaN(parameter) ? LeakySlope : parameter)});",
        ActivationKind.ELU => $"x = global::TorchSharp.torch.nn.functional.elu(x, {Format.DoubleLiteral(double.IsNaN(parameter) ? EluAlpha : parameter)});",
        ActivationKind.Hardswish => "x = global::TorchSharp.torch.nn.functional.hardswish(x);",
        _ => null,
    };

    /// <summary>The runtime enum member, for emitted arguments.</summary>
    public static string RuntimeName(ActivationKind activation) => "global::LayerDsl.Activation." + activation;
}
