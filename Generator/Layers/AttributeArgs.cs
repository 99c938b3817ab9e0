using System.Collections.Generic;
using LayerDsl.Generator.Helpers;
using LayerDsl.Generator.Models;

namespace LayerDsl.Generator.Layers;

/// <summary>
/// One layer attribute's argument values by parameter or property name (constructor defaults filled in), read
/// from Roslyn by the parser and handed to a layer's <c>Parse</c>. Transient: it never enters the pipeline.
/// </summary>
internal sealed class AttributeArgs
{
    private readonly IReadOnlyDictionary<string, object?> _values;

    public AttributeArgs(string display, LocationInfo? location, IReadOnlyDictionary<string, object?> values, EquatableArray<ArgumentInfo> arguments)
    {
        Display = display;
        Location = location;
        _values = values;
        Arguments = arguments;
    }

    public string Display { get; }

    public LocationInfo? Location { get; }

    public EquatableArray<ArgumentInfo> Arguments { get; }

    public long Long(string name, long fallback = 0) => _values.TryGetValue(name, out var value) && value is int number ? number : fallback;

    public int Enum(string name, int fallback = 0) => _values.TryGetValue(name, out var value) && value is int number ? number : fallback;

    public double Double(string name, double fallback = 0) => _values.TryGetValue(name, out var value) switch
    {
        true when value is double d => d,
        true when value is float f => f,
        true when value is int i => i,
        _ => fallback,
    };

    public bool Bool(string name, bool fallback = false) => _values.TryGetValue(name, out var value) && value is bool b ? b : fallback;
}
