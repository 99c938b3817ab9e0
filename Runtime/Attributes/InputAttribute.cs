using System;

namespace LayerDsl;

/// <summary>
/// Marks a partial class as a LayerDsl model and declares the shape of one sample. Images are declared as
/// height x width x channels (Keras order) and the generated <c>forward</c> takes NCHW tensors
/// <c>[batch, channels, height, width]</c>; sequences of channels as length x channels (<c>[batch, channels, length]</c>);
/// feature vectors by their size (<c>[batch, features]</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class InputAttribute : Attribute
{
    /// <summary>Declares an image input as height x width x channels; <c>forward</c> takes <c>[batch, channels, height, width]</c>.</summary>
    public InputAttribute(int height, int width, int channels)
    {
        Shape = new[] { channels, height, width };
    }

    /// <summary>Declares a 1-D input as length x channels; <c>forward</c> takes <c>[batch, channels, length]</c>.</summary>
    public InputAttribute(int length, int channels)
    {
        Shape = new[] { channels, length };
    }

    /// <summary>Declares a feature-vector input; <c>forward</c> takes <c>[batch, features]</c>.</summary>
    public InputAttribute(int features)
    {
        Shape = new[] { features };
    }

    /// <summary>The shape of one sample in TorchSharp order, without the batch.</summary>
    public int[] Shape { get; }

    /// <summary>
    /// For a sequence of token ids, <c>[Input(length, Tokens = vocabulary)]</c>: the input is int64 ids in [0, vocabulary),
    /// <c>[batch, length]</c>; 0 (the default) means real-valued input.
    /// </summary>
    public int Tokens { get; set; }
}
