using LayerDsl.Generator.Helpers;

namespace LayerDsl.Generator.Models;

/// <summary>A diagnostic to report, as plain values: descriptor ID, where, and the message arguments.</summary>
internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(string id, LocationInfo? location, params object[] arguments)
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

        return new DiagnosticInfo(id, location, text.ToEquatableArray());
    }
}
