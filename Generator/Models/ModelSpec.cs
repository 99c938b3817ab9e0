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

/// <summary>
/// <c>[Input(...)]</c> as plain values: the per-sample shape in TorchSharp order (<c>[C, H, W]</c> from
/// <c>Input(height, width, channels)</c>, <c>[C, L]</c> from <c>Input(length, channels)</c>, <c>[F]</c> from
/// <c>Input(features)</c>) and the attribute as written.
/// </summary>
internal sealed record InputSpec(Shape Shape, string Display, EquatableArray<string> ArgumentNames);

/// <summary>
/// Everything the generator knows about one model class, as equatable plain values: no symbols, syntax nodes,
/// locations or compilations, and no source positions, so the pipeline caches it and an edit that only moves the
/// model leaves its emission cached.
/// </summary>
internal sealed record ModelSpec(
    string? Namespace,
    string ClassName,
    EquatableArray<ContainingType> ContainingTypes,
    InputSpec? Input,
    EquatableArray<LayerSpec> Layers,
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

/// <summary>
/// The parser's output for one class: the position-free spec that feeds inference and emission, the positions of the
/// declaration, and the diagnostics the parser found (already located).
/// </summary>
internal sealed record ParsedModel(ModelSpec Spec, SourceMap Map, EquatableArray<DiagnosticInfo> Diagnostics);
