using System;
using System.Collections.Generic;
using System.Linq;
using LayerDsl.Export;
using TorchSharp;
using static TorchSharp.torch;

namespace LayerDsl.Modules;

/// <summary>How <see cref="Branches"/> combines its branches' outputs.</summary>
public enum BranchMerge
{
    /// <summary>Concatenation along the first sample dimension (the channels).</summary>
    Concat,

    /// <summary>Element-wise sum.</summary>
    Sum,
}

/// <summary>
/// Runs several modules on the same input and concatenates or sums their outputs: what <c>[Concat&lt;A, B&gt;]</c> and
/// <c>[Add&lt;A, B&gt;]</c> generate. The branches are children under their names (<c>concat1.branchA.conv1.weight</c>).
/// </summary>
public sealed class Branches : nn.Module<Tensor, Tensor>, IOnnxExportable
{
    private readonly BranchMerge merge;
    private readonly List<nn.Module<Tensor, Tensor>> branches = new();

    /// <summary>Creates the module from named branches.</summary>
    /// <param name="name">The module's name.</param>
    /// <param name="merge">How the outputs combine.</param>
    /// <param name="branches">The branches and their names, in order.</param>
    public Branches(string name, BranchMerge merge, params (string Name, nn.Module<Tensor, Tensor> Branch)[] branches)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(branches);
        if (branches.Length < 2)
        {
            throw new ArgumentException("Branches needs at least two branches.", nameof(branches));
        }

        this.merge = merge;
        foreach (var (branchName, branch) in branches)
        {
            register_module(branchName, branch);
            this.branches.Add(branch);
        }
    }

    /// <summary>The branches, in order.</summary>
    public IReadOnlyList<nn.Module<Tensor, Tensor>> Children => branches;

    /// <summary>How the branches' outputs combine.</summary>
    public BranchMerge Merge => merge;

    /// <summary>Runs every branch on <paramref name="input"/> and combines the outputs.</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return Combine(branches.Select(b => b.call(input)).ToList()).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Every branch's trace followed by its output (for a branch that is a generated block, its layers' outputs), then the
    /// combined output last: the order of the generated model's <c>Info.Layers</c>. The caller owns the tensors.
    /// </summary>
    public IReadOnlyList<Tensor> ForwardTrace(Tensor input)
    {
        using var scope = NewDisposeScope();
        var outputs = new List<Tensor>();
        var results = new List<Tensor>();
        foreach (var branch in branches)
        {
            if (branch is ILayerBlock block)
            {
                var inner = block.ForwardTrace(input);
                outputs.AddRange(inner);
                results.Add(inner[inner.Count - 1]);
            }
            else
            {
                results.Add(branch.call(input));
            }

            outputs.Add(results[results.Count - 1]);
        }

        outputs.Add(Combine(results));
        foreach (var output in new HashSet<Tensor>(outputs, ReferenceEqualityComparer.Instance))
        {
            output.MoveToOuterDisposeScope();
        }

        return outputs;
    }

    /// <summary>
    /// Every branch through <see cref="OnnxGraphBuilder.Module"/> under <c>name.branchName</c> (so a branch must be a
    /// module the builder exports), then ONNX <c>Concat</c> (axis 1) or a chain of <c>Add</c>s, in branch order.
    /// </summary>
    /// <exception cref="NotSupportedException">A branch has no ONNX export.</exception>
    /// <exception cref="ArgumentException">The branches' output shapes cannot be concatenated or summed.</exception>
    public string ExportOnnx(OnnxGraphBuilder builder, string input, string name)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var outputs = named_children()
            .Select(child => builder.Module(input, (nn.Module<Tensor, Tensor>)child.module, $"{name}.{child.name}"))
            .ToList();
        if (merge == BranchMerge.Concat)
        {
            return builder.Concat(outputs, name);
        }

        var sum = outputs[0];
        for (var i = 1; i < outputs.Count; i++)
        {
            sum = builder.Add(sum, outputs[i], i == outputs.Count - 1 ? name : $"{name}/sum{i}");
        }

        return sum;
    }

    private Tensor Combine(List<Tensor> outputs)
    {
        if (merge == BranchMerge.Concat)
        {
            return cat(outputs, 1);
        }

        var sum = outputs[0];
        for (var i = 1; i < outputs.Count; i++)
        {
            sum = sum.add(outputs[i]);
        }

        return sum;
    }
}
