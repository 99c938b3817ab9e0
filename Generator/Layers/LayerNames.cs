using System.Collections.Generic;
using LayerDsl.Generator.Helpers;

namespace LayerDsl.Generator.Layers;

/// <summary>
/// Stable field-style names: each layer's prefix numbered in declaration order (<c>conv1</c>, <c>dense1</c>, <c>conv2</c>).
/// A number already taken is skipped: a block's prefix may end in a digit (<c>Use&lt;Dense1&gt;</c> is <c>dense11</c>,
/// which the eleventh Dense would be too).
/// </summary>
internal static class LayerNames
{
    public static List<LayerSpec> Assign(IEnumerable<LayerSpec> layers)
    {
        var counters = new Dictionary<string, int>();
        var taken = new HashSet<string>();
        var named = new List<LayerSpec>();
        foreach (var layer in layers)
        {
            counters.TryGetValue(layer.NamePrefix, out var count);
            string name;
            do
            {
                name = layer.NamePrefix + Format.Number(++count);
            }
            while (!taken.Add(name));

            counters[layer.NamePrefix] = count;
            named.Add(layer with { Name = name });
        }

        return named;
    }
}
