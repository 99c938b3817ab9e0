using System.Collections.Generic;
using LayerDsl.Generator.Helpers;
using LayerDsl.Generator.Models;

namespace LayerDsl.Generator.Layers;

/// <summary><c>[Flatten]</c>: <c>[C, H, W]</c> to <c>[C*H*W]</c> (a flat input stays as it is).</summary>
internal sealed record FlattenLayer(string Display, LocationInfo? Location, EquatableArray<ArgumentInfo> Arguments)
    : LayerSpec(Display, Location, Arguments)
{
    public override string Kind => "Flatten";

    public override string NamePrefix => "flatten";

    public override bool PreservesSize => true;

    public static LayerSpec Parse(AttributeArgs a) => new FlattenLayer(a.Display, a.Location, a.Arguments);

    public override LayerOutcome Infer(LayerInput input) => LayerOutcome.Ok(Shape.Flat(input.Shape.Size));

    public override void EmitForward(List<string> statements, string name, Shape input, Shape output) =>
        statements.Add("x = x.flatten(1);");
}
