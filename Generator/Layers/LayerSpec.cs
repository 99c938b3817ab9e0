using System.Collections.Generic;
using LayerDsl.Generator.Helpers;
using LayerDsl.Generator.Models;

namespace LayerDsl.Generator.Layers;

/// <summary>Where one attribute argument was written, by parameter or property name.</summary>
internal sealed record ArgumentInfo(string Name, LocationInfo? Location);

/// <summary>Mirrors <c>LayerDsl.Activation</c> (the generator cannot reference the runtime).</summary>
internal enum ActivationKind
{
    None = 0,
    ReLU = 1,
    Tanh = 2,
    Sigmoid = 3,
    Softmax = 4,
}

/// <summary>What a layer's shape rule says about one input: the output and parameter count, or why it cannot work.</summary>
internal sealed class LayerOutcome
{
    private LayerOutcome(Shape? output, long parameters, DiagnosticInfo? error)
    {
        Output = output;
        Parameters = parameters;
        Error = error;
    }

    public Shape? Output { get; }

    public long Parameters { get; }

    public DiagnosticInfo? Error { get; }

    public static LayerOutcome Ok(Shape output, long parameters = 0) => new(output, parameters, null);

    public static LayerOutcome Fail(DiagnosticInfo error) => new(null, 0, error);
}

/// <summary>
/// The shape a layer receives; where its size comes from (<c>24 × 24 × 32 = 18432 from MaskedConv(5, 32)</c>, skipping
/// layers that keep the size); and the layer that flattened it, if any (for messages).
/// </summary>
internal sealed record LayerInput(Shape Shape, string ProducedBy, string? FlattenedBy);

/// <summary>
/// One declared layer: its arguments as plain values, its shape rule and its emission. A new layer kind is one
/// subclass plus one entry in <see cref="LayerKinds"/>.
/// </summary>
internal abstract record LayerSpec(string Display, LocationInfo? Location, EquatableArray<ArgumentInfo> Arguments)
{
    /// <summary>The attribute's name without <c>Attribute</c>, e.g. <c>Conv2D</c>.</summary>
    public abstract string Kind { get; }

    /// <summary>Prefix of the layer's stable name: <c>conv</c> gives <c>conv1</c>, <c>conv2</c>, ...</summary>
    public abstract string NamePrefix { get; }

    /// <summary>The TorchSharp module type of the layer's field, or null when the layer is a pure function.</summary>
    public virtual string? ModuleType(Shape input) => null;

    /// <summary>True when the layer keeps the number of values per sample (so messages name an earlier producer).</summary>
    public virtual bool PreservesSize => false;

    /// <summary>The activation applied after the layer (or the layer itself, for stand-alone activations).</summary>
    public virtual ActivationKind Activation => ActivationKind.None;

    /// <summary>True when the layer needs a <c>[C, H, W]</c> input.</summary>
    public virtual bool RequiresSpatialInput => false;

    /// <summary>Checks argument values that need no shape (sizes &gt; 0, rates in range).</summary>
    public virtual IEnumerable<DiagnosticInfo> ValidateArguments()
    {
        yield break;
    }

    /// <summary>The shape rule.</summary>
    public abstract LayerOutcome Infer(LayerInput input);

    /// <summary>The expression that creates the layer's module, for layers with a <see cref="ModuleType"/>.</summary>
    public virtual string? EmitConstruction(Shape input, Shape output) => null;

    /// <summary>Statements that transform <c>x</c> (the activation is emitted separately).</summary>
    public abstract void EmitForward(List<string> statements, string name, Shape input, Shape output);

    /// <summary>The location of a named argument, or of the whole attribute when it was not written.</summary>
    public LocationInfo? ArgumentLocation(string name)
    {
        foreach (var argument in Arguments)
        {
            if (argument.Name == name && argument.Location is not null)
            {
                return argument.Location;
            }
        }

        return Location;
    }

    protected DiagnosticInfo InvalidArgument(string argument, string requirement, object actual) =>
        DiagnosticInfo.Create(DiagnosticIds.InvalidArgument, ArgumentLocation(argument), Display, argument, requirement, actual);

    protected IEnumerable<DiagnosticInfo> Positive(string argument, long value)
    {
        if (value <= 0)
        {
            yield return InvalidArgument(argument, "greater than 0", value);
        }
    }

    protected IEnumerable<DiagnosticInfo> Defined(string argument, int value, int max)
    {
        if (value < 0 || value > max)
        {
            yield return InvalidArgument(argument, "one of the enum's named values", value);
        }
    }
}
