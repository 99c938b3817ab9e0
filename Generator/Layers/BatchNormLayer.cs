using System.Collections.Generic;
using LayerDsl.Generator.Helpers;
using LayerDsl.Generator.Models;

namespace LayerDsl.Generator.Layers;

/// <summary><c>[BatchNorm(Epsilon, Momentum)]</c>: BatchNorm2d over channels, or BatchNorm1d over flat features.</summary>
internal sealed record BatchNormLayer(string Display, LocationInfo? Location, EquatableArray<ArgumentInfo> Arguments, double Epsilon, double Momentum)
    : LayerSpec(Display, Location, Arguments)
{
    public override string Kind => "BatchNorm";

    public override string NamePrefix => "batchNorm";

    public override string? ModuleType(Shape input) =>
        input.IsFlat ? "global::TorchSharp.Modules.BatchNorm1d" : "global::TorchSharp.Modules.BatchNorm2d";

    public override bool PreservesSize => true;

    public static LayerSpec Parse(AttributeArgs a) =>
        new BatchNormLayer(a.Display, a.Location, a.Arguments, a.Double("Epsilon", 1e-5), a.Double("Momentum", 0.1));

    public override IEnumerable<DiagnosticInfo> ValidateArguments()
    {
        if (!(Epsilon > 0) || double.IsInfinity(Epsilon))
        {
            yield return InvalidArgument("Epsilon", "a finite number greater than 0", Epsilon);
        }

        if (!(Momentum >= 0 && Momentum <= 1))
        {
            yield return InvalidArgument("Momentum", "in [0, 1]", Momentum);
        }
    }

    // Trainable: weight and bias per channel; the running mean and variance are buffers, not parameters.
    public override LayerOutcome Infer(LayerInput input) => LayerOutcome.Ok(input.Shape, checked(2 * input.Shape.Channels));

    public override string EmitConstruction(Shape input, Shape output)
    {
        var type = input.IsFlat ? "BatchNorm1d" : "BatchNorm2d";
        return $"global::TorchSharp.torch.nn.{type}({Format.LongLiteral(input.Channels)}, eps: {Format.DoubleLiteral(Epsilon)}, momentum: {Format.DoubleLiteral(Momentum)})";
    }

    public override void EmitForward(List<string> statements, string name, Shape input, Shape output) =>
        statements.Add($"x = {name}.forward(x);");
}
