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

/// <summary>What a declaration is: a model (<c>[Input]</c>), a block (<c>[Block]</c>), or another type a composite names.</summary>
internal enum DeclarationKind
{
    Model,
    Block,

    /// <summary>Neither: a type named by <c>Use&lt;T&gt;</c> that is not a block.</summary>
    Other,
}

/// <summary>A type that contains the model class: its keyword (<c>class</c>, <c>record struct</c>, ...) and name.</summary>
internal sealed record ContainingType(string Keyword, string Name);

/// <summary>
/// <c>[Input(...)]</c> as plain values: the per-sample shape in TorchSharp order (<c>[C, H, W]</c> from
/// <c>Input(height, width, channels)</c>, <c>[C, L]</c> from <c>Input(length, channels)</c>, <c>[F]</c> from
/// <c>Input(features)</c>) and the attribute as written.
/// </summary>
internal sealed record InputSpec(Shape Shape, string Display, EquatableArray<string> ArgumentNames)
{
    /// <summary>The vocabulary of a token-id input (<c>Tokens = n</c>); 0 for real-valued input.</summary>
    public long Tokens { get; init; }
}

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
    public DeclarationKind Kind { get; init; } = DeclarationKind.Model;

    /// <summary>The metadata name (<c>Demo.Outer+BasicBlock</c>): the key blocks are found by.</summary>
    public string MetadataName { get; init; } = string.Empty;

    /// <summary>False for a type declared in another assembly (metadata only).</summary>
    public bool InSource { get; init; } = true;

    /// <summary>True when the parser found errors of its own in the declaration (a block with errors cannot be used).</summary>
    public bool HasErrors { get; init; }

    /// <summary>
    /// Every block the declaration's composite layers reach, directly or through other blocks, each without a table of its
    /// own: inference of this declaration needs nothing else.
    /// </summary>
    public EquatableArray<ModelSpec> Blocks { get; init; } = EquatableArray<ModelSpec>.Empty;

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
