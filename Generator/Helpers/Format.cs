using System.Globalization;

namespace LayerDsl.Generator.Helpers;

/// <summary>Culture-invariant formatting for messages and emitted literals.</summary>
internal static class Format
{
    /// <summary>A number as people read it in messages (no separators, so it can be searched for).</summary>
    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A number with thousands separators, for summaries.</summary>
    public static string Grouped(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Double(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A C# long literal.</summary>
    public static string LongLiteral(long value) => value.ToString(CultureInfo.InvariantCulture) + "L";

    /// <summary>A C# double literal that round-trips.</summary>
    public static string DoubleLiteral(double value)
    {
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.IndexOfAny(new[] { '.', 'E', 'e' }) >= 0 ? text : text + ".0";
    }

    /// <summary>A C# string literal.</summary>
    public static string StringLiteral(string value) =>
        "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n").Replace("\r", "\\r") + "\"";

    /// <summary>Escapes text for an XML doc comment.</summary>
    public static string Xml(string value) => value.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
