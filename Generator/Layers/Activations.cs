namespace LayerDsl.Generator.Layers;

/// <summary>How each activation is emitted.</summary>
internal static class Activations
{
    public static string? Statement(ActivationKind activation) => activation switch
    {
        ActivationKind.ReLU => "x = global::TorchSharp.torch.nn.functional.relu(x);",
        ActivationKind.Tanh => "x = global::TorchSharp.torch.nn.functional.tanh(x);",
        ActivationKind.Sigmoid => "x = global::TorchSharp.torch.nn.functional.sigmoid(x);",
        ActivationKind.Softmax => "x = global::TorchSharp.torch.nn.functional.softmax(x, 1L);",
        _ => null,
    };

    /// <summary>The runtime enum member, for emitted arguments.</summary>
    public static string RuntimeName(ActivationKind activation) => "global::LayerDsl.Activation." + activation;

    public const int MaxValue = (int)ActivationKind.Softmax;
}
