using LayerDsl.Generator.Helpers;

namespace LayerDsl.Generator.Models;

/// <summary>What a diagnostic is about, without a position: the class, the Input attribute, or a layer attribute, and optionally one of its arguments.</summary>
internal enum SiteKind
{
    Class,
    Input,
    Layer,
}

/// <summary>
/// A place in a model's declaration named by structure (the third layer attribute, its <c>InFeatures</c> argument)
/// instead of by position, so that inference results stay equal when the source only moves.
/// </summary>
internal sealed record Site(SiteKind Kind, int Index, string? Argument)
{
    public static Site Class { get; } = new(SiteKind.Class, -1, null);

    public static Site Input(string? argument = null) => new(SiteKind.Input, -1, argument);

    public static Site Layer(int index, string? argument = null) => new(SiteKind.Layer, index, argument);
}

/// <summary>Where one attribute argument was written, by parameter or property name.</summary>
internal sealed record ArgumentInfo(string Name, LocationInfo? Location);

/// <summary>Where an attribute and each of its written arguments are.</summary>
internal sealed record AttributeSource(LocationInfo? Attribute, EquatableArray<ArgumentInfo> Arguments)
{
    /// <summary>The argument's location, or the whole attribute's when the argument was not written.</summary>
    public LocationInfo? Locate(string? argument)
    {
        if (argument is not null)
        {
            foreach (var written in Arguments)
            {
                if (written.Name == argument && written.Location is not null)
                {
                    return written.Location;
                }
            }
        }

        return Attribute;
    }
}

/// <summary>
/// The positions of a model's declaration: the class name, the Input attribute and each layer attribute. It travels
/// beside the spec, never into it, and turns <see cref="Site"/>s into locations when diagnostics are reported.
/// </summary>
internal sealed record SourceMap(LocationInfo? Class, AttributeSource? Input, EquatableArray<AttributeSource> Layers)
{
    public LocationInfo? Locate(Site site) => site.Kind switch
    {
        SiteKind.Input => Input?.Locate(site.Argument) ?? Class,
        SiteKind.Layer when site.Index >= 0 && site.Index < Layers.Count => Layers[site.Index].Locate(site.Argument) ?? Class,
        _ => Class,
    };
}
