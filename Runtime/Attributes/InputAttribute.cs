using System;

namespace LayerDsl;

/// <summary>
/// Marks a partial class as a LayerDsl model and declares its input: height x width x channels
/// (Keras order). The generated module's
/// <c>forward</c> takes NCHW tensors <c>[batch, channels, height, width]</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class InputAttribute : Attribute
{
    /// <summary>Declares the model input as height x width x channels.</summary>
    public InputAttribute(int height, int width, int channels)
    {
        Height = height;
        Width = width;
        Channels = channels;
    }

    /// <summary>Input height in pixels.</summary>
    public int Height { get; }

    /// <summary>Input width in pixels.</summary>
    public int Width { get; }

    /// <summary>Input channels.</summary>
    public int Channels { get; }
}
