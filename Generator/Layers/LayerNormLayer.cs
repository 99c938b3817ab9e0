using System.Collections.Generic;
using LayerDsl.Generator.Helpers;
using LayerDsl.Generator.Models;

namespace LayerDsl.Generator.Layers;

/// <summary><c>[LayerNorm(Epsilon)]</c>: TorchSharp's LayerNorm over the last dimension, with a learnable scale and shift.</summary>
internal sealed record LayerNormLayer(string Display, int Index, double Epsilon) : LayerSpec(Display, Index)
{
    public override string Kind => "LayerNorm";

    public override string NamePrefix => "layerNorm";

    public override bool OutputIsFresh => true;

    public override string? ModuleType(Shape input) => "global::TorchSharp.Modules.LayerNorm";

    public override bool PreservesSize => true;

    public static LayerSpec Parse(AttributeArgs a) => new LayerNormLayer(a.Display, a.Index, a.Double("Epsilon", 1e-5));

    public override IEnumerable<DiagnosticInfo> ValidateArguments()
    {
        if (!(Epsilon > 0) || double.IsInfinity(Epsilon))
        {
            yield return Invalid("Epsilon", "a finite number greater than 0", Epsilon);
        }
    }

    public override LayerOutcome Infer(LayerInput input) => LayerOutcome.Ok(input.Shape, checked(2 * input.Shape[input.Shape.Rank - 1]));

    public override string EmitConstruction(Shape input, Shape output) =>
        $"global::TorchSharp.torch.nn.LayerNorm({Format.LongLiteral(input[input.Rank - 1])}, eps: {Format.DoubleLiteral(Epsilon)})";

    public override void EmitForward(List<string> statements, string name, Shape input, Shape output) => Call(statements, name);

    public override void EmitOnnx(List<string> statements, LayerTrace trace) => OnnxCode.Module(statements, trace.Name);

    public override string PythonConstruction(LayerTrace trace) => $"nn.LayerNorm({Py.Int(trace.Input[trace.Input.Rank - 1])}, eps={Py.Float(Epsilon)})";

    public override void EmitPython(List<string> statements, LayerTrace trace) => Py.Call(statements, trace.Name);
}
