using LayerDsl.Generator.Helpers;

namespace LayerDsl.Generator.Models;

/// <summary>
/// A diagnostic to report, as plain values: descriptor ID, the message arguments, and either a <see cref="Site"/>
/// (inference names the layer and argument at fault) or a location (the parser, which reads the syntax, knows it).
/// </summary>
internal sealed record DiagnosticInfo(string Id, Site? Site, LocationInfo? Location, EquatableArray<string> Arguments)
{
    /// <summary>The name of the layer at fault (<c>conv2</c>), for messages about layers inside blocks.</summary>
    public string? LayerName { get; init; }

    /// <summary>A diagnostic about a place in the declaration, located later through the model's <see cref="SourceMap"/>.</summary>
    public static DiagnosticInfo At(string id, Site site, params object[] arguments) => new(id, site, null, Texts(arguments));

    /// <summary>A diagnostic at a known location.</summary>
    public static DiagnosticInfo AtLocation(string id, LocationInfo? location, params object[] arguments) => new(id, null, location, Texts(arguments));

    /// <summary>This diagnostic with its site turned into a location.</summary>
    public DiagnosticInfo LocatedBy(SourceMap map) => Site is null ? this : this with { Location = map.Locate(Site) };

    private static EquatableArray<string> Texts(object[] arguments)
    {
        var text = new string[arguments.Length];
        for (var i = 0; i < arguments.Length; i++)
        {
            text[i] = arguments[i] switch
            {
                long n => Format.Number(n),
                int n => Format.Number(n),
                double d => Format.Double(d),
                _ => arguments[i]?.ToString() ?? string.Empty,
            };
        }

        return text.ToEquatableArray();
    }
}
