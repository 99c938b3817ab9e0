using System.Collections.Generic;
using LayerDsl.Generator.Models;

namespace LayerDsl.Generator.Layers;

/// <summary><c>[Flatten]</c>: any shape to <c>[size]</c> (a flat input stays as it is).</summary>
internal sealed record FlattenLayer(string Display, int Index) : LayerSpec(Display, Index)
{
    public override string Kind => "Flatten";

    public override string NamePrefix => "flatten";

    public override bool PreservesSize => true;

    public static LayerSpec Parse(AttributeArgs a) => new FlattenLayer(a.Display, a.Index);

    public override LayerOutcome Infer(LayerInput input) => LayerOutcome.Ok(Shape.Of(input.Shape.Size));

    public override void EmitForward(List<string> statements, string name, Shape input, Shape output)
    {
        if (input.Rank > 1)
        {
            statements.Add("x = x.flatten(1);");
        }
    }

    public override void EmitOnnx(List<string> statements, LayerTrace trace)
    {
        if (trace.Input.Rank > 1)
        {
            statements.Add($"x = onnx.Flatten(x, {OnnxCode.Name(trace.Name)});");
        }
    }

    public override void EmitPython(List<string> statements, LayerTrace trace)
    {
        if (trace.Input.Rank > 1)
        {
            statements.Add("x = x.flatten(1)");
        }
    }
}
