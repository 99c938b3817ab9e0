using System.Collections.Generic;
using System.Linq;
using LayerDsl.Generator.Helpers;
using LayerDsl.Generator.Models;

namespace LayerDsl.Generator.Layers;

/// <summary>
/// One layer attribute's argument values by parameter or property name (constructor defaults filled in), read
/// from Roslyn by the parser and handed to a layer's <c>Parse</c>. Transient: it never enters the pipeline.
/// Names come from the attribute class itself: asking for a name the attribute does not declare (a parameter renamed
/// in the runtime but not here) throws, which the generator reports as an internal error instead of reading 0.
/// </summary>
internal sealed class AttributeArgs
{
    private readonly IReadOnlyDictionary<string, object?> _values;
    private readonly ICollection<string> _declared;

    public AttributeArgs(string display, int index, IReadOnlyDictionary<string, object?> values, ICollection<string> declared)
    {
        Display = display;
        Index = index;
        _values = values;
        _declared = declared;
    }

    /// <summary>The attribute as written, with argument values: <c>Conv2D(32, 3, Padding = Same)</c>.</summary>
    public string Display { get; }

    /// <summary>The layer's position among the model's layers.</summary>
    public int Index { get; }

    public long Long(string name, long fallback = 0) => Get(name) is int number ? number : fallback;

    public int Enum(string name, int fallback = 0) => Get(name) is int number ? number : fallback;

    public double Double(string name, double fallback = 0) => Get(name) switch
    {
        double d => d,
        float f => f,
        int i => i,
        _ => fallback,
    };

    public bool Bool(string name, bool fallback = false) => Get(name) is bool b ? b : fallback;

    /// <summary>The integers of an array argument (<c>params int[]</c>), or empty.</summary>
    public EquatableArray<long> Longs(string name) => Get(name) is object?[] values
        ? values.Select(v => v is int i ? (long)i : 0L).ToEquatableArray()
        : EquatableArray<long>.Empty;

    /// <summary>The types given as type arguments of a generic attribute (<c>Use&lt;T&gt;</c>), in order.</summary>
    public EquatableArray<BlockRef> TypeArguments { get; init; } = EquatableArray<BlockRef>.Empty;

    /// <summary>True when the argument has a value (written, or a constructor parameter's default).</summary>
    public bool Has(string name) => _values.ContainsKey(name);

    private object? Get(string name)
    {
        if (!_declared.Contains(name))
        {
            throw new System.InvalidOperationException($"the generator reads an argument '{name}' that {Display} does not declare");
        }

        return _values.TryGetValue(name, out var value) ? value : null;
    }
}
