using System.Collections.Generic;
using LayerDsl.Generator.Helpers;
using LayerDsl.Generator.Models;

namespace LayerDsl.Generator.Layers;

/// <summary><c>[Upsample2D(scale, Mode)]</c>: <c>[C, H, W]</c> to <c>[C, H * scale, W * scale]</c>, nearest or bilinear.</summary>
internal sealed record Upsample2DLayer(string Display, int Index, long Scale, int Mode) : LayerSpec(Display, Index)
{
    private const int Nearest = 0;
    private const int Bilinear = 2;

    public override string Kind => "Upsample2D";

    public override string NamePrefix => "upsample";

    public override InputRanks Ranks => InputRanks.Spatial2D;

    public static LayerSpec Parse(AttributeArgs a) => new Upsample2DLayer(a.Display, a.Index, a.Long("scale", 2), a.Enum("Mode"));

    public override IEnumerable<DiagnosticInfo> ValidateArguments()
    {
        foreach (var error in Positive("scale", Scale))
        {
            yield return error;
        }

        if (Mode is not (Nearest or Bilinear))
        {
            yield return Invalid("Mode", "UpsampleMode.Nearest or UpsampleMode.Bilinear", Mode);
        }
    }

    public override LayerOutcome Infer(LayerInput input) =>
        LayerOutcome.Ok(Shape.Of(input.Shape[0], checked(input.Shape[1] * Scale), checked(input.Shape[2] * Scale)));

    public override void EmitForward(List<string> statements, string name, Shape input, Shape output)
    {
        var scale = Format.DoubleLiteral(Scale);
        statements.Add(Mode == Bilinear
            ? $"x = global::TorchSharp.torch.nn.functional.interpolate(x, scale_factor: new double[] {{ {scale}, {scale} }}, mode: global::TorchSharp.torch.InterpolationMode.Bilinear, align_corners: false);"
            : $"x = global::TorchSharp.torch.nn.functional.interpolate(x, scale_factor: new double[] {{ {scale}, {scale} }}, mode: global::TorchSharp.torch.InterpolationMode.Nearest);");
    }

    public override void EmitOnnx(List<string> statements, LayerTrace trace)
    {
        var scale = Format.DoubleLiteral(Scale);
        statements.Add($"x = onnx.Upsample(x, new double[] {{ {scale}, {scale} }}, global::TorchSharp.torch.UpsampleMode.{(Mode == Bilinear ? "Bilinear" : "Nearest")}, name: {OnnxCode.Name(trace.Name)});");
    }

    public override void EmitPython(List<string> statements, LayerTrace trace)
    {
        var scale = Py.Float(Scale);
        statements.Add(Mode == Bilinear
            ? $"x = F.interpolate(x, scale_factor=({scale}, {scale}), mode=\"bilinear\", align_corners=False)"
            : $"x = F.interpolate(x, scale_factor=({scale}, {scale}), mode=\"nearest\")");
    }
}
