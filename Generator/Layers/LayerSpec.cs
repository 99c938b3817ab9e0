using System.Collections.Generic;
using LayerDsl.Generator.Helpers;
using LayerDsl.Generator.Models;

namespace LayerDsl.Generator.Layers;

/// <summary>Mirrors <c>LayerDsl.Activation</c> (the generator cannot reference the runtime).</summary>
internal enum ActivationKind
{
    None = 0,
    ReLU = 1,
    Tanh = 2,
    Sigmoid = 3,
    Softmax = 4,
    GELU = 5,
    SiLU = 6,
    LeakyReLU = 7,
    ELU = 8,
    Hardswish = 9,
}

/// <summary>The input ranks a layer accepts, and how messages describe them.</summary>
internal sealed record InputRanks(int Min, int Max, string Description)
{
    public static InputRanks Any { get; } = new(1, int.MaxValue, "an input of any rank");

    /// <summary><c>[C, H, W]</c>: 2-D convolutions and pooling.</summary>
    public static InputRanks Spatial2D { get; } = new(3, 3, "a [channels, height, width] input");

    /// <summary><c>[C, L]</c>: 1-D convolutions and pooling.</summary>
    public static InputRanks Sequence1D { get; } = new(2, 2, "a [channels, length] input");

    public bool Accepts(int rank) => rank >= Min && rank <= Max;
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

    /// <summary>The block instances of a composite layer.</summary>
    public EquatableArray<BranchTrace> Branches { get; private init; } = EquatableArray<BranchTrace>.Empty;

    /// <summary>The stride of a residual's projection, 0 for none.</summary>
    public long ProjectionStride { get; private init; }

    public static LayerOutcome Ok(Shape output, long parameters = 0) => new(output, parameters, null);

    public static LayerOutcome Composite(Shape output, long parameters, EquatableArray<BranchTrace> branches, long projectionStride = 0) =>
        new(output, parameters, null) { Branches = branches, ProjectionStride = projectionStride };

    public static LayerOutcome Fail(DiagnosticInfo error) => new(null, 0, error);
}

/// <summary>
/// The shape a layer receives, and where its size comes from for messages: <see cref="ProducedBy"/> skips layers that
/// keep the size (<c>24 × 24 × 32 = 18432 from MaskedConv(5, 32)</c>). <see cref="Blocks"/> infers the blocks that
/// composite layers place.
/// </summary>
internal sealed record LayerInput(Shape Shape, string ProducedBy, BlockContext Blocks);

/// <summary>
/// One declared layer: its arguments as plain values, its shape rule and its emission. A new layer kind is one
/// subclass plus one entry in <see cref="LayerKinds"/>. <see cref="Index"/> is the layer's position among the model's
/// layers: diagnostics name it through a <see cref="Site"/>, never through a source position.
/// </summary>
internal abstract record LayerSpec(string Display, int Index)
{
    /// <summary>The stable field-style name (<c>conv1</c>), given by the parser from <see cref="NamePrefix"/> and the layer order.</summary>
    public string Name { get; init; } = string.Empty;

    /// <summary>The attribute's name without <c>Attribute</c>, e.g. <c>Conv2D</c>.</summary>
    public abstract string Kind { get; }

    /// <summary>Prefix of the layer's stable name: <c>conv</c> gives <c>conv1</c>, <c>conv2</c>, ...</summary>
    public abstract string NamePrefix { get; }

    /// <summary>The input ranks the shape rule accepts; another rank is reported before <see cref="Infer"/> runs.</summary>
    public virtual InputRanks Ranks => InputRanks.Any;

    /// <summary>The TorchSharp module type of the layer's field, or null when the layer is a pure function.</summary>
    public virtual string? ModuleType(Shape input) => null;

    /// <summary>True when the layer keeps the number of values per sample (so messages name an earlier producer).</summary>
    public virtual bool PreservesSize => false;

    /// <summary>
    /// True when the layer's result before its own activation is a new tensor that the layer's backward pass does not
    /// read (convolutions, Dense, BatchNorm, LayerNorm): a stand-alone activation right after it may then overwrite it.
    /// </summary>
    public virtual bool OutputIsFresh => false;

    /// <summary>The activation applied after the layer (or the layer itself, for stand-alone activations).</summary>
    public virtual ActivationKind Activation => ActivationKind.None;

    /// <summary>
    /// The statement that applies <see cref="Activation"/> to <c>x</c>, or null. In place where the activation allows it:
    /// a layer's own activation follows the layer's module call (or a residual sum), whose result is a new tensor that
    /// nothing else holds; a stand-alone activation layer overrides this.
    /// </summary>
    public virtual string? ActivationStatement => Activations.Statement(Activation, inPlace: true);

    /// <summary>A short reading of the arguments where their order is easy to mix up, for summaries and hover (<c>3 filters, 32 × 32 kernel</c>).</summary>
    public virtual string? Gloss => null;

    /// <summary>Checks argument values that need no shape (sizes &gt; 0, rates in range).</summary>
    public virtual IEnumerable<DiagnosticInfo> ValidateArguments()
    {
        yield break;
    }

    /// <summary>Diagnostics that do not stop the model (warnings, information), given the layer's input.</summary>
    public virtual IEnumerable<DiagnosticInfo> Advise(Shape input)
    {
        yield break;
    }

    /// <summary>The shape rule, for an input of an accepted rank.</summary>
    public abstract LayerOutcome Infer(LayerInput input);

    /// <summary>The expression that creates the layer's module, for layers with a <see cref="ModuleType"/>.</summary>
    public virtual string? EmitConstruction(Shape input, Shape output) => null;

    /// <summary>Statements that transform <c>x</c> (the activation is emitted separately).</summary>
    public abstract void EmitForward(List<string> statements, string name, Shape input, Shape output);

    /// <summary>The fields the layer needs in its model (or block): type, name and the expression that creates it.</summary>
    public virtual IEnumerable<(string Type, string Name, string Construction)> Fields(LayerTrace trace)
    {
        if (ModuleType(trace.Input) is { } type)
        {
            yield return (type, trace.Name, EmitConstruction(trace.Input, trace.Output)!);
        }
    }

    /// <summary>The forward statements, with the activation unless the caller wants logits.</summary>
    public virtual void Forward(List<string> statements, LayerTrace trace, bool activation)
    {
        EmitForward(statements, trace.Name, trace.Input, trace.Output);
        if (activation && ActivationStatement is { } statement)
        {
            statements.Add(statement);
        }
    }

    /// <summary>The statements of <c>ForwardTrace</c>: the forward pass, adding every output to <c>outputs</c> as <see cref="InfoRows"/> lists them.</summary>
    public virtual void Trace(List<string> statements, LayerTrace trace)
    {
        Forward(statements, trace, activation: true);
        statements.Add("outputs.Add(x);");
    }

    /// <summary>
    /// Statements of the ONNX export that append the layer (without its activation) to the builder <c>onnx</c>, turning
    /// the value name <c>x</c> into the layer's output; nodes and weights are named under the string <c>prefix</c>.
    /// </summary>
    public abstract void EmitOnnx(List<string> statements, LayerTrace trace);

    /// <summary>The ONNX statement that applies <see cref="Activation"/> to <c>x</c>, or null.</summary>
    public virtual string? OnnxActivation(LayerTrace trace) =>
        OnnxCode.Activation(Activation, double.NaN, OnnxCode.Name(trace.Name, Activation.ToString().ToLowerInvariant()));

    /// <summary>The ONNX export statements, with the activation unless the caller wants logits.</summary>
    public void Onnx(List<string> statements, LayerTrace trace, bool activation)
    {
        EmitOnnx(statements, trace);
        if (activation && OnnxActivation(trace) is { } statement)
        {
            statements.Add(statement);
        }
    }

    /// <summary>The submodules of the layer in the PyTorch twin: attribute name and the Python expression that creates it, as <see cref="Fields"/> for C#.</summary>
    public virtual IEnumerable<(string Name, string Construction)> PythonFields(LayerTrace trace, PythonBlocks blocks)
    {
        if (PythonConstruction(trace) is { } construction)
        {
            yield return (trace.Name, construction);
        }
    }

    /// <summary>The Python expression that creates the layer's module, for layers with a <see cref="ModuleType"/>.</summary>
    public virtual string? PythonConstruction(LayerTrace trace) => null;

    /// <summary>The Python source of a class the twin needs besides torch's, by class name (LayerDsl's own modules, a user layer's twin).</summary>
    public virtual IEnumerable<(string ClassName, string Source)> PythonClasses => System.Array.Empty<(string, string)>();

    /// <summary>Python statements of the twin's <c>forward</c> that transform <c>x</c> (the activation is emitted separately).</summary>
    public abstract void EmitPython(List<string> statements, LayerTrace trace);

    /// <summary>The Python statement that applies <see cref="Activation"/> to <c>x</c>, or null.</summary>
    public virtual string? PythonActivation => Py.Activation(Activation);

    /// <summary>The twin's forward statements, with the activation unless the caller wants logits.</summary>
    public void Python(List<string> statements, LayerTrace trace, bool activation)
    {
        EmitPython(statements, trace);
        if (activation && PythonActivation is { } statement)
        {
            statements.Add(statement);
        }
    }

    /// <summary>The layer's entries in <c>Info.Layers</c>, in the order <c>ForwardTrace</c> produces them (children first).</summary>
    public virtual IEnumerable<InfoRow> InfoRows(LayerTrace trace, string prefix)
    {
        yield return new InfoRow(prefix + trace.Name, Kind, Display, trace.Output, trace.Parameters);
    }

    /// <summary>The layer's rows in the summary table (a composite first, then its children indented).</summary>
    public virtual IEnumerable<SummaryRow> SummaryRows(LayerTrace trace, int depth)
    {
        yield return new SummaryRow(depth, trace.Name, Gloss is { } gloss ? $"{Display}: {gloss}" : Display, trace.Output, trace.Parameters);
    }

    /// <summary>This layer, or one of its arguments, as a diagnostic site.</summary>
    public Site At(string? argument = null) => Site.Layer(Index, argument);

    /// <summary>LDSL0010 on one of this layer's arguments.</summary>
    public DiagnosticInfo Invalid(string argument, string requirement, object actual) =>
        DiagnosticInfo.At(DiagnosticIds.InvalidArgument, At(argument), Display, argument, requirement, actual);

    protected IEnumerable<DiagnosticInfo> Positive(string argument, long value)
    {
        if (value <= 0)
        {
            yield return Invalid(argument, "greater than 0", value);
        }
    }

    protected IEnumerable<DiagnosticInfo> Defined(string argument, int value, int max)
    {
        if (value < 0 || value > max)
        {
            yield return Invalid(argument, "one of the enum's named values", value);
        }
    }

    /// <summary>Emits <c>x = name.call(x);</c>: TorchSharp's convention, which runs the module's hooks.</summary>
    protected static void Call(List<string> statements, string name) => statements.Add($"x = {name}.call(x);");
}
