using System;

namespace LayerDsl;

/// <summary>
/// Marks a partial class as a reusable block: its layer attributes form a layer list without an <c>[Input]</c>, whose
/// shapes are inferred wherever a model places it (<see cref="UseAttribute{T}"/>, <see cref="ResidualAttribute{T}"/>,
/// <see cref="ConcatAttribute{T1, T2}"/>, <see cref="AddAttribute{T1, T2}"/>). The generated block is a TorchSharp module
/// whose constructor takes its input shape; blocks may use other blocks.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class BlockAttribute : Attribute
{
}

/// <summary>Places block <typeparamref name="T"/> here, inline: its layers run on the tensor, <see cref="Repeat"/> times in a row (each with its own weights).</summary>
/// <typeparam name="T">A class marked <see cref="BlockAttribute"/>.</typeparam>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class UseAttribute<T> : LayerAttribute
    where T : class
{
    /// <summary>How many copies run one after another (default 1).</summary>
    public int Repeat { get; set; } = 1;
}

/// <summary>
/// A residual connection around block <typeparamref name="T"/>: <c>activation(x + T(x))</c>. The block must keep the
/// shape, unless <see cref="Project"/> adds a 1 x 1 convolution (with the stride needed) on the skip path.
/// </summary>
/// <typeparam name="T">A class marked <see cref="BlockAttribute"/>.</typeparam>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ResidualAttribute<T> : LayerAttribute
    where T : class
{
    /// <summary>Activation after the sum (default none).</summary>
    public Activation Activation { get; set; } = Activation.None;

    /// <summary>Projects the skip path with a 1 x 1 convolution (a Dense layer for flat shapes) when the block changes the shape (default false).</summary>
    public bool Project { get; set; }
}

/// <summary>Runs two blocks on the same input and concatenates their outputs along the channel (first) dimension.</summary>
/// <typeparam name="T1">The first branch, a <see cref="BlockAttribute"/> class.</typeparam>
/// <typeparam name="T2">The second branch.</typeparam>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ConcatAttribute<T1, T2> : LayerAttribute
    where T1 : class
    where T2 : class
{
}

/// <summary>Runs three blocks on the same input and concatenates their outputs along the channel (first) dimension.</summary>
/// <typeparam name="T1">The first branch, a <see cref="BlockAttribute"/> class.</typeparam>
/// <typeparam name="T2">The second branch.</typeparam>
/// <typeparam name="T3">The third branch.</typeparam>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ConcatAttribute<T1, T2, T3> : LayerAttribute
    where T1 : class
    where T2 : class
    where T3 : class
{
}

/// <summary>Runs four blocks on the same input and concatenates their outputs along the channel (first) dimension.</summary>
/// <typeparam name="T1">The first branch, a <see cref="BlockAttribute"/> class.</typeparam>
/// <typeparam name="T2">The second branch.</typeparam>
/// <typeparam name="T3">The third branch.</typeparam>
/// <typeparam name="T4">The fourth branch.</typeparam>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ConcatAttribute<T1, T2, T3, T4> : LayerAttribute
    where T1 : class
    where T2 : class
    where T3 : class
    where T4 : class
{
}

/// <summary>Runs two blocks on the same input and sums their outputs, which must have the same shape.</summary>
/// <typeparam name="T1">The first branch, a <see cref="BlockAttribute"/> class.</typeparam>
/// <typeparam name="T2">The second branch.</typeparam>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AddAttribute<T1, T2> : LayerAttribute
    where T1 : class
    where T2 : class
{
}

/// <summary>Runs three blocks on the same input and sums their outputs, which must have the same shape.</summary>
/// <typeparam name="T1">The first branch, a <see cref="BlockAttribute"/> class.</typeparam>
/// <typeparam name="T2">The second branch.</typeparam>
/// <typeparam name="T3">The third branch.</typeparam>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AddAttribute<T1, T2, T3> : LayerAttribute
    where T1 : class
    where T2 : class
    where T3 : class
{
}

/// <summary>Runs four blocks on the same input and sums their outputs, which must have the same shape.</summary>
/// <typeparam name="T1">The first branch, a <see cref="BlockAttribute"/> class.</typeparam>
/// <typeparam name="T2">The second branch.</typeparam>
/// <typeparam name="T3">The third branch.</typeparam>
/// <typeparam name="T4">The fourth branch.</typeparam>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AddAttribute<T1, T2, T3, T4> : LayerAttribute
    where T1 : class
    where T2 : class
    where T3 : class
    where T4 : class
{
}
