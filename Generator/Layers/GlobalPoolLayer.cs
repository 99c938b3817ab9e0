using System.Collections.Generic;
using LayerDsl.Generator.Models;

namespace LayerDsl.Generator.Layers;

/// <summary>
/// <c>[GlobalAvgPool2D]</c>, <c>[GlobalMaxPool2D]</c> (<c>[C, H, W]</c> to <c>[C]</c>) and <c>[GlobalAvgPool1D]</c>,
/// <c>[GlobalMaxPool1D]</c> (<c>[C, L]</c> to <c>[C]</c>): the mean or maximum over every position.
/// </summary>
internal sealed record GlobalPoolLayer(string Display, int Index, bool IsMax, int Dimensions) : LayerSpec(Display, Index)
{
    public override string Kind => $"Global{(IsMax ? "Max" : "Avg")}Pool{Dimensions}D";

    public override string NamePrefix => $"global{(IsMax ? "Max" : "Avg")}Pool{(Dimensions == 1 ? "1d" : string.Empty)}";

    public override InputRanks Ranks => Dimensions == 2 ? InputRanks.Spatial2D : InputRanks.Sequence1D;

    public static LayerSpec ParseAvg2D(AttributeArgs a) => new GlobalPoolLayer(a.Display, a.Index, false, 2);

    public static LayerSpec ParseMax2D(AttributeArgs a) => new GlobalPoolLayer(a.Display, a.Index, true, 2);

    public static LayerSpec ParseAvg1D(AttributeArgs a) => new GlobalPoolLayer(a.Display, a.Index, false, 1);

    public static LayerSpec ParseMax1D(AttributeArgs a) => new GlobalPoolLayer(a.Display, a.Index, true, 1);

    public override LayerOutcome Infer(LayerInput input) => LayerOutcome.Ok(Shape.Of(input.Shape[0]));

    public override void EmitForward(List<string> statements, string name, Shape input, Shape output) =>
        statements.Add(IsMax ? "x = x.flatten(2).amax(new long[] { 2L });" : "x = x.flatten(2).mean(new long[] { 2L });");

    public override void EmitOnnx(List<string> statements, LayerTrace trace) =>
        statements.Add($"x = onnx.{(IsMax ? "GlobalMaxPool" : "GlobalAvgPool")}(x, keepDims: false, {OnnxCode.Name(trace.Name)});");

    public override void EmitPython(List<string> statements, LayerTrace trace) =>
        statements.Add(IsMax ? "x = x.flatten(2).amax(2)" : "x = x.flatten(2).mean(2)");
}
