using System.Collections.Generic;
using System.Linq;
using LayerDsl.Generator.Helpers;
using LayerDsl.Generator.Models;

namespace LayerDsl.Generator.Layers;

/// <summary><c>[Dense(units, Activation, InFeatures)]</c>: TorchSharp's Linear, input features inferred (a shaped input is flattened).</summary>
internal sealed record DenseLayer(string Display, int Index, long Units, int ActivationValue, long InFeatures, bool UseBias = true)
    : LayerSpec(Display, Index)
{
    public override string Kind => "Dense";

    public override string NamePrefix => "dense";

    public override bool OutputIsFresh => true;

    public override string? ModuleType(Shape input) => "global::TorchSharp.Modules.Linear";

    public override ActivationKind Activation => (ActivationKind)ActivationValue;

    public static LayerSpec Parse(AttributeArgs a) =>
        new DenseLayer(a.Display, a.Index, a.Long("units"), a.Enum("Activation"), a.Long("InFeatures"), a.Bool("UseBias", true));

    public override IEnumerable<DiagnosticInfo> ValidateArguments()
    {
        var pin = InFeatures < 0
            ? new[] { Invalid("InFeatures", "0 (inferred) or greater", InFeatures) }
            : Enumerable.Empty<DiagnosticInfo>();
        return Positive("units", Units).Concat(Defined("Activation", ActivationValue, Activations.MaxValue)).Concat(pin);
    }

    public override LayerOutcome Infer(LayerInput input)
    {
        var features = input.Shape.Size;
        if (InFeatures != 0 && InFeatures != features)
        {
            return LayerOutcome.Fail(DiagnosticInfo.At(
                DiagnosticIds.DenseInFeaturesMismatch, At("InFeatures"), Display, InFeatures, features, input.ProducedBy));
        }

        return LayerOutcome.Ok(Shape.Of(Units), checked((features * Units) + (UseBias ? Units : 0)));
    }

    public override string EmitConstruction(Shape input, Shape output) =>
        $"global::TorchSharp.torch.nn.Linear({Format.LongLiteral(input.Size)}, {Format.LongLiteral(Units)}{(UseBias ? string.Empty : ", hasBias: false")})";

    public override void EmitForward(List<string> statements, string name, Shape input, Shape output)
    {
        if (input.Rank > 1)
        {
            statements.Add("x = x.flatten(1);");
        }

        Call(statements, name);
    }

    public override void EmitOnnx(List<string> statements, LayerTrace trace) => OnnxCode.Module(statements, trace.Name);

    public override string PythonConstruction(LayerTrace trace) =>
        $"nn.Linear({Py.Int(trace.Input.Size)}, {Py.Int(Units)}{(UseBias ? string.Empty : ", bias=False")})";

    public override void EmitPython(List<string> statements, LayerTrace trace)
    {
        if (trace.Input.Rank > 1)
        {
            statements.Add("x = x.flatten(1)");
        }

        Py.Call(statements, trace.Name);
    }
}
