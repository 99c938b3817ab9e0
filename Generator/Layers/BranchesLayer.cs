using System.Collections.Generic;
using System.Linq;
using LayerDsl.Generator.Helpers;
using LayerDsl.Generator.Models;

namespace LayerDsl.Generator.Layers;

/// <summary>
/// <c>[Concat&lt;T1, T2, ...&gt;]</c> and <c>[Add&lt;T1, T2, ...&gt;]</c>: two to four blocks on the same input, their outputs
/// concatenated along the first (channel) dimension or summed. Run by <c>LayerDsl.Modules.Branches</c>, whose children are
/// the blocks (<c>concat1.branchA.conv1.weight</c>).
/// </summary>
internal sealed record BranchesLayer(string Display, int Index, bool IsConcat, EquatableArray<BlockRef> Branches)
    : CompositeLayer(Display, Index, Branches)
{
    public override string Kind => IsConcat ? "Concat" : "Add";

    public override string NamePrefix => IsConcat ? "concat" : "add";

    public static LayerSpec ParseConcat(AttributeArgs a) => new BranchesLayer(a.Display, a.Index, true, a.TypeArguments);

    public static LayerSpec ParseAdd(AttributeArgs a) => new BranchesLayer(a.Display, a.Index, false, a.TypeArguments);

    /// <summary>
    /// The child names of the branches: camel-cased block names, a repeated one numbered in order, skipping a number that
    /// another branch's name already is (<c>Concat&lt;A, A, A1&gt;</c> gives <c>a2</c>, <c>a3</c>, <c>a1</c>).
    /// </summary>
    public IReadOnlyList<string> BranchNames()
    {
        var camel = Branches.Select(b => CamelCase(b.Name)).ToList();
        var taken = new HashSet<string>(camel.Where(name => camel.Count(other => other == name) == 1));
        var counters = new Dictionary<string, int>();
        var names = new List<string>();
        foreach (var name in camel)
        {
            if (camel.Count(other => other == name) == 1)
            {
                names.Add(name);
                continue;
            }

            counters.TryGetValue(name, out var count);
            string numbered;
            do
            {
                numbered = name + Format.Number(++count);
            }
            while (!taken.Add(numbered));

            counters[name] = count;
            names.Add(numbered);
        }

        return names;
    }

    public override LayerOutcome Infer(LayerInput input)
    {
        var names = BranchNames();
        var branches = new List<BranchTrace>();
        for (var i = 0; i < Branches.Count; i++)
        {
            var (branch, error) = Place(input, Branches[i], names[i], $"{Display} (branch {Branches[i].Name})");
            if (error is not null)
            {
                return LayerOutcome.Fail(error);
            }

            branches.Add(branch!);
        }

        var outputs = branches.Select(b => b.Output).ToList();
        var first = outputs[0];
        var compatible = IsConcat
            ? outputs.All(o => o.Rank == first.Rank && Enumerable.Range(1, first.Rank - 1).All(axis => o[axis] == first[axis]))
            : outputs.All(o => o == first);
        if (!compatible)
        {
            var rule = IsConcat ? "concatenates along the channels, so all but the first dimension must agree" : "sums its branches, so their shapes must be equal";
            var shapes = string.Join(", ", branches.Select(b => $"{b.Output} ({b.Block.Name})"));
            return LayerOutcome.Fail(DiagnosticInfo.At(DiagnosticIds.BranchShapeMismatch, At(), Display, rule, shapes));
        }

        var output = IsConcat
            ? Shape.Of(new[] { outputs.Sum(o => o[0]) }.Concat(first.Dims.Skip(1)).ToArray())
            : first;
        long parameters = 0;
        foreach (var branch in branches)
        {
            parameters = ParameterCount.Add(parameters, branch.Parameters);
        }

        return LayerOutcome.Composite(output, parameters, branches.ToEquatableArray());
    }

    public override IEnumerable<(string Type, string Name, string Construction)> Fields(LayerTrace trace)
    {
        var merge = IsConcat ? "Concat" : "Sum";
        var branches = trace.Branches.Select(b => $"({Format.StringLiteral(b.Name)}, {NewBlock(b)})");
        yield return ("global::LayerDsl.Modules.Branches", trace.Name, $"new global::LayerDsl.Modules.Branches({Format.StringLiteral(trace.Name)}, global::LayerDsl.Modules.BranchMerge.{merge}, {string.Join(", ", branches)})");
    }

    public override void EmitForward(List<string> statements, string name, Shape input, Shape output) => Call(statements, name);

    public override void EmitOnnx(List<string> statements, LayerTrace trace)
    {
        var outputs = trace.Branches.Select((b, i) =>
            $"onnx.Module(x, {trace.Name}.Children[{Format.Number(i)}], {OnnxCode.Name(trace.Name + "." + b.Name)})").ToList();
        if (IsConcat)
        {
            statements.Add($"x = onnx.Concat(new string[] {{ {string.Join(", ", outputs)} }}, {OnnxCode.Name(trace.Name, "concat")});");
            return;
        }

        // Summed left to right, as the module sums them.
        var sum = outputs[0];
        for (var i = 1; i < outputs.Count; i++)
        {
            sum = $"onnx.Add({sum}, {outputs[i]}, {OnnxCode.Name(trace.Name, "add" + Format.Number(i))})";
        }

        statements.Add($"x = {sum};");
    }

    public override IEnumerable<(string Name, string Construction)> PythonFields(LayerTrace trace, PythonBlocks blocks)
    {
        var branches = trace.Branches.Select(b => $"({Py.Str(b.Name)}, {blocks.ClassName(b)}())");
        yield return (trace.Name, $"nn.ModuleDict([{string.Join(", ", branches)}])");
    }

    public override void EmitPython(List<string> statements, LayerTrace trace)
    {
        var outputs = trace.Branches.Select(b => $"self.{trace.Name}[{Py.Str(b.Name)}](x)");
        statements.Add(IsConcat ? $"x = torch.cat([{string.Join(", ", outputs)}], 1)" : $"x = {string.Join(" + ", outputs)}");
    }

    public override void Trace(List<string> statements, LayerTrace trace)
    {
        statements.Add("{");
        statements.Add($"    var inner = {trace.Name}.ForwardTrace(x);");
        statements.Add("    outputs.AddRange(inner);");
        statements.Add("    x = inner[inner.Count - 1];");
        statements.Add("}");
    }

    public override IEnumerable<InfoRow> InfoRows(LayerTrace trace, string prefix)
    {
        foreach (var branch in trace.Branches)
        {
            var path = prefix + trace.Name + "." + branch.Name;
            foreach (var row in ChildRows(branch, path + "."))
            {
                yield return row;
            }

            yield return new InfoRow(path, "Block", branch.Block.Name, branch.Output, branch.Parameters);
        }

        yield return new InfoRow(prefix + trace.Name, Kind, Display, trace.Output, trace.Parameters);
    }

    public override IEnumerable<SummaryRow> SummaryRows(LayerTrace trace, int depth)
    {
        yield return new SummaryRow(depth, trace.Name, Display, trace.Output, trace.Parameters);
        foreach (var branch in trace.Branches)
        {
            yield return new SummaryRow(depth + 1, branch.Name, branch.Block.Name, branch.Output, branch.Parameters);
            foreach (var row in Children(branch, depth + 2))
            {
                yield return row;
            }
        }
    }
}
