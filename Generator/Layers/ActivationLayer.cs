using System.Collections.Generic;
using LayerDsl.Generator.Helpers;
using LayerDsl.Generator.Models;

namespace LayerDsl.Generator.Layers;

/// <summary>
/// A stand-alone activation: <c>[ReLU]</c>, <c>[Tanh]</c>, <c>[Sigmoid]</c>, <c>[Softmax]</c>, <c>[GELU]</c>, <c>[SiLU]</c>,
/// <c>[Hardswish]</c>, <c>[LeakyReLU(slope)]</c>, <c>[ELU(alpha)]</c>.
/// </summary>
internal sealed record ActivationLayer(string Display, int Index, ActivationKind Function, double Parameter) : LayerSpec(Display, Index)
{
    public override string Kind => Function.ToString();

    public override string NamePrefix => Function switch
    {
        ActivationKind.ReLU => "relu",
        ActivationKind.GELU => "gelu",
        ActivationKind.SiLU => "silu",
        ActivationKind.ELU => "elu",
        ActivationKind.LeakyReLU => "leakyRelu",
        _ => Function.ToString().ToLowerInvariant(),
    };

    public override ActivationKind Activation => Function;

    // Not in place: a stand-alone activation's input may be held elsewhere (a skip connection, a traced output).
    public override string? ActivationStatement => Activations.Statement(Function, Parameter);

    /// <summary>
    /// The statement when the input is known to be the fresh result of the layer just before (see
    /// <see cref="LayerSpec.OutputIsFresh"/>): ReLU, tanh and sigmoid in place, other functions as usual.
    /// </summary>
    public string? InPlaceStatement => Activations.Statement(Function, Parameter, inPlace: true);

    public override bool PreservesSize => true;

    public static LayerSpec ParseReLU(AttributeArgs a) => new ActivationLayer(a.Display, a.Index, ActivationKind.ReLU, double.NaN);

    public static LayerSpec ParseTanh(AttributeArgs a) => new ActivationLayer(a.Display, a.Index, ActivationKind.Tanh, double.NaN);

    public static LayerSpec ParseSigmoid(AttributeArgs a) => new ActivationLayer(a.Display, a.Index, ActivationKind.Sigmoid, double.NaN);

    public static LayerSpec ParseSoftmax(AttributeArgs a) => new ActivationLayer(a.Display, a.Index, ActivationKind.Softmax, double.NaN);

    public static LayerSpec ParseGELU(AttributeArgs a) => new ActivationLayer(a.Display, a.Index, ActivationKind.GELU, double.NaN);

    public static LayerSpec ParseSiLU(AttributeArgs a) => new ActivationLayer(a.Display, a.Index, ActivationKind.SiLU, double.NaN);

    public static LayerSpec ParseHardswish(AttributeArgs a) => new ActivationLayer(a.Display, a.Index, ActivationKind.Hardswish, double.NaN);

    public static LayerSpec ParseLeakyReLU(AttributeArgs a) => new ActivationLayer(a.Display, a.Index, ActivationKind.LeakyReLU, a.Double("slope", Activations.LeakySlope));

    public static LayerSpec ParseELU(AttributeArgs a) => new ActivationLayer(a.Display, a.Index, ActivationKind.ELU, a.Double("alpha", Activations.EluAlpha));

    public override IEnumerable<DiagnosticInfo> ValidateArguments()
    {
        if (Function == ActivationKind.LeakyReLU && (double.IsNaN(Parameter) || double.IsInfinity(Parameter)))
        {
            yield return Invalid("slope", "a finite number", Parameter);
        }

        if (Function == ActivationKind.ELU && !(Parameter > 0 && !double.IsInfinity(Parameter)))
        {
            yield return Invalid("alpha", "a finite number greater than 0", Parameter);
        }
    }

    public override LayerOutcome Infer(LayerInput input) => LayerOutcome.Ok(input.Shape);

    public override void EmitForward(List<string> statements, string name, Shape input, Shape output)
    {
        // The activation statement itself is emitted by the emitter, like every layer's activation.
    }

    public override void EmitOnnx(List<string> statements, LayerTrace trace)
    {
        // The activation itself is the layer: OnnxActivation.
    }

    public override string? OnnxActivation(LayerTrace trace) => OnnxCode.Activation(Function, Parameter, OnnxCode.Name(trace.Name));

    public override void EmitPython(List<string> statements, LayerTrace trace)
    {
        // The activation itself is the layer: PythonActivation.
    }

    public override string? PythonActivation => Py.Activation(Function, Parameter);
}
