using System.Collections.Generic;
using System.Linq;
using LayerDsl.Generator.Helpers;
using LayerDsl.Generator.Models;

namespace LayerDsl.Generator.Layers;

/// <summary>
/// A layer that places blocks (<c>Use</c>, <c>Residual</c>, <c>Concat</c>, <c>Add</c>). An error inside a placed block is
/// reported here, on the placing attribute, naming the inner layer.
/// </summary>
internal abstract record CompositeLayer(string Display, int Index, EquatableArray<BlockRef> Blocks) : LayerSpec(Display, Index)
{
    /// <summary>How messages name this placement: <c>Use&lt;Bottleneck&gt; (2nd of 3)</c>.</summary>
    public virtual string Placement => Display;

    /// <summary>The diagnostic, on the attribute as written, for a block it cannot place wherever it is (once for all the copies of a repeat).</summary>
    public DiagnosticInfo Report(BlockProblem problem) => DiagnosticInfo.At(problem.Id, At(), Display, problem.Detail);

    /// <summary>Infers one placed block, or the diagnostic (on this attribute) that says why it does not fit.</summary>
    protected (BranchTrace? Branch, DiagnosticInfo? Error) Place(LayerInput input, BlockRef block, string name, string placement)
    {
        var outcome = input.Blocks.Infer(block, input.Shape);
        if (outcome.Problem is { } problem)
        {
            return (null, DiagnosticInfo.At(problem.Id, At(), placement, problem.Detail));
        }

        if (outcome.Inner is { } inner)
        {
            return (null, Resite(inner, placement));
        }

        return (new BranchTrace(name, block, input.Shape, outcome.Layers!.Value, outcome.Output!, outcome.Parameters), null);
    }

    /// <summary>
    /// An inner layer's diagnostic moved onto this attribute, its subject prefixed with the placement and the inner layer's
    /// name: <c>Use&lt;Bottleneck&gt; (2nd of 3): conv2 Conv2D(64, 3) slides ...</c>.
    /// </summary>
    private DiagnosticInfo Resite(DiagnosticInfo inner, string placement)
    {
        var name = inner.LayerName is { } layer ? layer + " " : string.Empty;
        var arguments = inner.Arguments.ToArray();
        if (arguments.Length > 0)
        {
            arguments[0] = $"{placement}: {name}{arguments[0]}";
        }

        return new DiagnosticInfo(inner.Id, At(), null, arguments.ToEquatableArray()) { LayerName = Name };
    }

    /// <summary>The field name of a block in camel case: <c>BasicBlock</c> gives <c>basicBlock</c>.</summary>
    public static string CamelCase(string name)
    {
        name = name.Replace("@", string.Empty);
        var upper = 0;
        while (upper < name.Length && char.IsUpper(name[upper]))
        {
            upper++;
        }

        // "LSTM" gives "lstm", "LSTMCell" gives "lstmCell", "BasicBlock" gives "basicBlock".
        var lower = upper <= 1 || upper == name.Length ? upper : upper - 1;
        return name.Substring(0, lower).ToLowerInvariant() + name.Substring(lower);
    }

    /// <summary><c>new global::Demo.BasicBlock(new long[] { 64L, 28L, 28L })</c>.</summary>
    protected static string NewBlock(BranchTrace branch) =>
        $"new {branch.Block.TypeExpression}(new long[] {{ {string.Join(", ", branch.Input.Dims.Select(Format.LongLiteral))} }})";

    /// <summary>Summary rows of a placed block's layers, one level deeper.</summary>
    protected static IEnumerable<SummaryRow> Children(BranchTrace branch, int depth) =>
        branch.Layers.SelectMany(l => l.Layer.SummaryRows(l, depth));

    /// <summary>Info rows of a placed block's layers under <paramref name="prefix"/>.</summary>
    protected static IEnumerable<InfoRow> ChildRows(BranchTrace branch, string prefix) =>
        branch.Layers.SelectMany(l => l.Layer.InfoRows(l, prefix));
}
