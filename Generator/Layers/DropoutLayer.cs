using System.Collections.Generic;
using LayerDsl.Generator.Helpers;
using LayerDsl.Generator.Models;

namespace LayerDsl.Generator.Layers;

/// <summary><c>[Dropout(rate)]</c>: TorchSharp's Dropout (active in training mode only).</summary>
internal sealed record DropoutLayer(string Display, int Index, double Rate) : LayerSpec(Display, Index)
{
    public override string Kind => "Dropout";

    public override string NamePrefix => "dropout";

    public override string? ModuleType(Shape input) => "global::TorchSharp.Modules.Dropout";

    public override bool PreservesSize => true;

    public static LayerSpec Parse(AttributeArgs a) => new DropoutLayer(a.Display, a.Index, a.Double("rate"));

    public override IEnumerable<DiagnosticInfo> ValidateArguments()
    {
        if (!(Rate >= 0 && Rate < 1))
        {
            yield return Invalid("rate", "in [0, 1)", Rate);
        }
    }

    public override LayerOutcome Infer(LayerInput input) => LayerOutcome.Ok(input.Shape);

    public override string EmitConstruction(Shape input, Shape output) =>
        $"global::TorchSharp.torch.nn.Dropout({Format.DoubleLiteral(Rate)})";

    public override void EmitForward(List<string> statements, string name, Shape input, Shape output) => Call(statements, name);

    public override void EmitOnnx(List<string> statements, LayerTrace trace) => OnnxCode.Module(statements, trace.Name);

    public override string PythonConstruction(LayerTrace trace) => $"nn.Dropout({Py.Float(Rate)})";

    public override void EmitPython(List<string> statements, LayerTrace trace) => Py.Call(statements, trace.Name);
}
