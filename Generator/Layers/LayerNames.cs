using System.Collections.Generic;
using LayerDsl.Generator.Helpers;

namespace LayerDsl.Generator.Layers;

/// <summary>Stable field-style names: each layer's prefix numbered in declaration order (<c>conv1</c>, <c>dense1</c>, <c>conv2</c>).</summary>
internal static class LayerNames
{
    public static List<LayerSpec> Assign(IEnumerable<LayerSpec> layers)
    {
        var counters = new Dictionary<string, int>();
        var named = new List<LayerSpec>();
        foreach (var layer in layers)
        {
            counters.TryGetValue(layer.NamePrefix, out var count);
            counters[layer.NamePrefix] = ++count;
            named.Add(layer with { Name = layer.NamePrefix + Format.Number(count) });
        }

        return named;
    }
}
