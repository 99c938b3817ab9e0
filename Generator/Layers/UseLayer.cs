using System.Collections.Generic;
using System.Globalization;
using LayerDsl.Generator.Helpers;
using LayerDsl.Generator.Models;

namespace LayerDsl.Generator.Layers;

/// <summary>
/// <c>[Use&lt;T&gt;(Repeat = n)]</c>: block <c>T</c> inline, <c>n</c> times in a row, each copy a field of its own
/// (<c>basicBlock1</c>, <c>basicBlock2</c>) with its own weights. The parser expands the repeat: one spec per copy.
/// </summary>
internal sealed record UseLayer(string Display, int Index, BlockRef Block, long Repeat, int Copy)
    : CompositeLayer(Display, Index, new EquatableArray<BlockRef>(new[] { Block }))
{
    /// <summary>The largest repeat: each copy is a field and a module.</summary>
    public const long MaxRepeat = 1000;

    public override string Kind => "Use";

    public override string NamePrefix => CamelCase(Block.Name);

    public override string Placement => Repeat > 1 ? $"{Display} ({Ordinal(Copy)} of {Format.Number(Repeat)})" : Display;

    public static IEnumerable<LayerSpec> Parse(AttributeArgs a)
    {
        var repeat = a.Long("Repeat", 1);
        var block = a.TypeArguments[0];
        if (repeat < 1 || repeat > MaxRepeat)
        {
            // Left unexpanded, so that validation reports the argument once.
            yield return new UseLayer(a.Display, a.Index, block, repeat, 1);
            yield break;
        }

        for (var copy = 1; copy <= repeat; copy++)
        {
            yield return new UseLayer(a.Display, a.Index, block, repeat, copy);
        }
    }

    public override IEnumerable<DiagnosticInfo> ValidateArguments()
    {
        if (Repeat < 1 || Repeat > MaxRepeat)
        {
            yield return Invalid("Repeat", $"between 1 and {Format.Number(MaxRepeat)}", Repeat);
        }
    }

    public override LayerOutcome Infer(LayerInput input)
    {
        var (branch, error) = Place(input, Block, Name, Placement);
        return error is not null
            ? LayerOutcome.Fail(error)
            : LayerOutcome.Composite(branch!.Output, branch.Parameters, new EquatableArray<BranchTrace>(new[] { branch }));
    }

    public override IEnumerable<(string Type, string Name, string Construction)> Fields(LayerTrace trace)
    {
        yield return (Block.TypeExpression, trace.Name, NewBlock(trace.Branches[0]));
    }

    public override void EmitForward(List<string> statements, string name, Shape input, Shape output) => Call(statements, name);

    public override void EmitOnnx(List<string> statements, LayerTrace trace) => OnnxCode.Module(statements, trace.Name);

    public override IEnumerable<(string Name, string Construction)> PythonFields(LayerTrace trace, PythonBlocks blocks)
    {
        yield return (trace.Name, blocks.ClassName(trace.Branches[0]) + "()");
    }

    public override void EmitPython(List<string> statements, LayerTrace trace) => Py.Call(statements, trace.Name);

    public override void Trace(List<string> statements, LayerTrace trace)
    {
        statements.Add("{");
        statements.Add($"    var inner = {trace.Name}.ForwardTrace(x);");
        statements.Add("    outputs.AddRange(inner);");
        statements.Add("    x = inner[inner.Count - 1];");
        statements.Add("    outputs.Add(x);");
        statements.Add("}");
    }

    public override IEnumerable<InfoRow> InfoRows(LayerTrace trace, string prefix)
    {
        foreach (var row in ChildRows(trace.Branches[0], prefix + trace.Name + "."))
        {
            yield return row;
        }

        yield return new InfoRow(prefix + trace.Name, Kind, Display, trace.Output, trace.Parameters);
    }

    public override IEnumerable<SummaryRow> SummaryRows(LayerTrace trace, int depth)
    {
        yield return new SummaryRow(depth, trace.Name, Repeat > 1 ? Placement : Display, trace.Output, trace.Parameters);
        foreach (var row in Children(trace.Branches[0], depth + 1))
        {
            yield return row;
        }
    }

    private static string Ordinal(int n) => n.ToString(CultureInfo.InvariantCulture) + ((n % 100) is 11 or 12 or 13 ? "th" : (n % 10) switch
    {
        1 => "st",
        2 => "nd",
        3 => "rd",
        _ => "th",
    });
}
