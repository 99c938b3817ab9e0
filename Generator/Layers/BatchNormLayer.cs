using System.Collections.Generic;
using LayerDsl.Generator.Helpers;
using LayerDsl.Generator.Models;

namespace LayerDsl.Generator.Layers;

/// <summary>
/// <c>[BatchNorm(Epsilon, Momentum)]</c> over the first (channel) dimension: BatchNorm2d for <c>[C, H, W]</c>,
/// BatchNorm1d for <c>[C, L]</c> and for flat <c>[F]</c>.
/// </summary>
internal sealed record BatchNormLayer(string Display, int Index, double Epsilon, double Momentum) : LayerSpec(Display, Index)
{
    public override string Kind => "BatchNorm";

    public override string NamePrefix => "batchNorm";

    public override bool OutputIsFresh => true;

    public override InputRanks Ranks { get; } = new(1, 3, "a [features], [channels, length] or [channels, height, width] input");

    public override string? ModuleType(Shape input) => "global::TorchSharp.Modules." + TypeName(input);

    public override bool PreservesSize => true;

    public static LayerSpec Parse(AttributeArgs a) => new BatchNormLayer(a.Display, a.Index, a.Double("Epsilon", 1e-5), a.Double("Momentum", 0.1));

    public override IEnumerable<DiagnosticInfo> ValidateArguments()
    {
        if (!(Epsilon > 0) || double.IsInfinity(Epsilon))
        {
            yield return Invalid("Epsilon", "a finite number greater than 0", Epsilon);
        }

        if (!(Momentum >= 0 && Momentum <= 1))
        {
            yield return Invalid("Momentum", "in [0, 1]", Momentum);
        }
    }

    // Trainable: weight and bias per channel; the running mean and variance are buffers, not parameters.
    public override LayerOutcome Infer(LayerInput input) => LayerOutcome.Ok(input.Shape, checked(2 * input.Shape[0]));

    public override string EmitConstruction(Shape input, Shape output) =>
        $"global::TorchSharp.torch.nn.{TypeName(input)}({Format.LongLiteral(input[0])}, eps: {Format.DoubleLiteral(Epsilon)}, momentum: {Format.DoubleLiteral(Momentum)})";

    public override void EmitForward(List<string> statements, string name, Shape input, Shape output) => Call(statements, name);

    public override void EmitOnnx(List<string> statements, LayerTrace trace) => OnnxCode.Module(statements, trace.Name);

    public override string PythonConstruction(LayerTrace trace) =>
        $"nn.{TypeName(trace.Input)}({Py.Int(trace.Input[0])}, eps={Py.Float(Epsilon)}, momentum={Py.Float(Momentum)})";

    public override void EmitPython(List<string> statements, LayerTrace trace) => Py.Call(statements, trace.Name);

    private static string TypeName(Shape input) => input.Rank == 3 ? "BatchNorm2d" : "BatchNorm1d";
}
