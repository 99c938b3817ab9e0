using LayerDsl.Generator.Helpers;
using LayerDsl.Generator.Models;

namespace LayerDsl.Generator.Layers;

/// <summary>The rule for grouped convolutions: the input channels split evenly into the groups.</summary>
internal static class ChannelGroups
{
    /// <summary>LDSL0029 when <paramref name="groups"/> does not divide the input's channels, else null.</summary>
    public static DiagnosticInfo? Check(LayerSpec layer, LayerInput input, long groups) =>
        groups > 1 && input.Shape[0] % groups != 0
            ? DiagnosticInfo.At(DiagnosticIds.ChannelsNotDivisibleByGroups, layer.At("Groups"), layer.Display, Format.Number(input.Shape[0]), input.ProducedBy, Format.Number(groups))
            : null;
}
