namespace LayerDsl.Generator.Models;

/// <summary>
/// A block named by a composite layer's type argument (<c>Use&lt;BasicBlock&gt;</c>): its metadata name (the key of
/// <see cref="ModelSpec.Blocks"/>), its simple name for messages, and the C# type for emitted code.
/// </summary>
internal sealed record BlockRef(string MetadataName, string Name, string TypeExpression);
