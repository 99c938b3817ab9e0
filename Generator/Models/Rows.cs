namespace LayerDsl.Generator.Models;

/// <summary>One entry of a model's <c>Info.Layers</c> (and of <c>ForwardTrace</c>, in the same order): a layer by its path.</summary>
internal sealed record InfoRow(string Path, string Kind, string Display, Shape Output, long Parameters);

/// <summary>One row of the summary table, indented by depth below the composite it belongs to.</summary>
internal sealed record SummaryRow(int Depth, string Name, string Description, Shape Output, long Parameters);
