using System;

namespace LayerDsl;

/// <summary>
/// States the shape contract of a TorchSharp module so that a model can place it with <see cref="LayerAttribute{T}"/>:
/// an input pattern and an output pattern of dimension expressions, in the batch-free order the generated code uses,
/// with optional constraints and parameter count.
/// </summary>
/// <remarks>
/// <code>
/// [LayerShape("[C, H, W] -> [filters, (H - kernelSize) / stride + 1, (W - kernelSize) / stride + 1] where H >= kernelSize, W >= kernelSize params filters * C * kernelSize * kernelSize + filters")]
/// </code>
/// Names in the input pattern bind to the incoming dimensions (an integer there must match exactly; <c>...</c> stands for
/// any leading dimensions, which <c>...</c> in the output repeats). Expressions use integers, names (bound dimensions and
/// the module's constructor parameters), <c>+ - * / %</c> (floor division and modulo), <c>min(a, b)</c>, <c>max(a, b)</c>
/// and parentheses. <c>where</c> takes comparisons (<c>== != &lt; &lt;= &gt; &gt;=</c>) separated by commas; <c>params</c>
/// states the trainable parameter count (otherwise it is counted at run time).
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class LayerShapeAttribute : Attribute
{
    /// <summary>Declares the module's shape contract.</summary>
    public LayerShapeAttribute(string contract) => Contract = contract;

    /// <summary>The contract text.</summary>
    public string Contract { get; }
}

/// <summary>
/// Places a TorchSharp module of your own, type <typeparamref name="T"/>, whose shape contract is its
/// <see cref="LayerShapeAttribute"/>. Constructor parameters named like a dimension of the input pattern receive it; the
/// others take the attribute's arguments in order (then their defaults); an attribute deriving from this one (as <c>[Embedding(vocab, dim)]</c> does) passes its own constructor arguments and properties, the properties by name. The compiler checks the contract against the
/// neighbouring layers; the generated model checks every output against it on every forward.
/// </summary>
/// <typeparam name="T">A <c>Module&lt;Tensor, Tensor&gt;</c> with a <see cref="LayerShapeAttribute"/>.</typeparam>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public class LayerAttribute<T> : LayerAttribute
    where T : class
{
    /// <summary>Places the module with these constructor arguments.</summary>
    /// <param name="arguments">Values for the constructor parameters that the input pattern does not bind, in order.</param>
    public LayerAttribute(params object[] arguments) => Arguments = arguments;

    /// <summary>The constructor arguments as written.</summary>
    public object[] Arguments { get; }
}
