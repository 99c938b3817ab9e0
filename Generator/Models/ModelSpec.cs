using LayerDsl.Generator.Helpers;
using LayerDsl.Generator.Layers;

namespace LayerDsl.Generator.Models;

/// <summary>What the generator may write for a model.</summary>
internal enum EmitMode
{
    /// <summary>The full module (when inference also succeeds).</summary>
    Full,

    /// <summary>
    /// A stub with the module's public surface whose members throw, so the user sees only the real error and
    /// not follow-on "member not found" errors.
    /// </summary>
    Stub,

    /// <summary>Nothing: any partial declaration would itself be an error (class not partial, generic, ...).</summary>
    Nothing,
}

/// <summary>A type that contains the model class: its keyword (<c>class</c>, <c>record struct</c>, ...) and name.</summary>
internal sealed record ContainingType(string Keyword, string Name);

/// <summary><c>[Input(height, width, channels)]</c> as plain values.</summary>
internal sealed record InputSpec(long Height, long Width, long Channels, LocationInfo? Location, EquatableArray<ArgumentInfo> Arguments)
{
    public LocationInfo? ArgumentLocation(string name)
    {
        foreach (var argument in Arguments)
        {
            if (argument.Name == name && argument.Location is not null)
            {
                return argument.Location;
            }
        }

        return Location;
    }
}

/// <summary>
/// Everything the generator knows about one model class, as equatable plain values: no symbols, syntax nodes,
/// locations or compilations, so that the pipeline caches it.
/// </summary>
internal sealed record ModelSpec(
    string? Namespace,
    string ClassName,
    EquatableArray<ContainingType> ContainingTypes,
    InputSpec? Input,
    EquatableArray<LayerSpec> Layers,
    EquatableArray<DiagnosticInfo> Diagnostics,
    EmitMode Mode)
{
    /// <summary>Namespace and containing types, dot-separated: the generated file's hint name without <c>.g.cs</c>.</summary>
    public string FullName
    {
        get
        {
            var name = Namespace is null ? string.Empty : Namespace + ".";
            foreach (var container in ContainingTypes)
            {
                name += container.Name + ".";
            }

            return name + ClassName;
        }
    }
}
