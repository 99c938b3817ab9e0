using System.Collections.Generic;
using System.Linq;
using LayerDsl.Generator.Helpers;
using LayerDsl.Generator.Layers;
using LayerDsl.Generator.Models;

namespace LayerDsl.Generator;

/// <summary>Why a block cannot be placed, as the composite layer that places it will report it.</summary>
internal sealed record BlockProblem(string Id, string Detail);

/// <summary>What inferring a block at one input gave: its layers and totals, or why it does not work there.</summary>
internal sealed record BlockOutcome(EquatableArray<LayerTrace>? Layers, Shape? Output, long Parameters, BlockProblem? Problem, DiagnosticInfo? Inner, ModelSpec? Block);

/// <summary>
/// The blocks a declaration reaches, by metadata name, and the stack of blocks being inferred (to stop cycles). Pure:
/// the table is part of the spec.
/// </summary>
internal sealed class BlockContext
{
    private readonly Dictionary<string, ModelSpec> blocks;
    private readonly List<string> stack = new();

    public BlockContext(IEnumerable<ModelSpec> blocks)
    {
        this.blocks = new Dictionary<string, ModelSpec>();
        foreach (var block in blocks)
        {
            this.blocks[block.MetadataName] = block;
        }
    }

    /// <summary>Infers <paramref name="block"/>'s layers from <paramref name="input"/>.</summary>
    public BlockOutcome Infer(BlockRef block, Shape input)
    {
        if (Problem(block, stack) is { } problem)
        {
            return new BlockOutcome(null, null, 0, problem, null, null);
        }

        var spec = blocks[block.MetadataName];
        stack.Add(block.MetadataName);
        try
        {
            var diagnostics = new List<DiagnosticInfo>();
            var layers = ShapeInference.InferLayers(spec.Layers, input, "the block's input", this, diagnostics, out var parameters);
            var inner = diagnostics.FirstOrDefault(d => DiagnosticDescriptors.IsError(d.Id));
            return layers is { } traced && inner is null
                ? new BlockOutcome(traced, traced.Count == 0 ? input : traced[traced.Count - 1].Output, parameters, null, null, spec)
                : new BlockOutcome(null, null, 0, null, inner, spec);
        }
        finally
        {
            stack.RemoveAt(stack.Count - 1);
        }
    }

    /// <summary>Why <paramref name="block"/> cannot be placed (not a block, from another assembly, in error, a cycle), or null.</summary>
    public BlockProblem? Problem(BlockRef block, IReadOnlyList<string> enclosing)
    {
        if (!blocks.TryGetValue(block.MetadataName, out var spec) || spec.Kind == DeclarationKind.Other)
        {
            return new BlockProblem(DiagnosticIds.NotABlock, $"{block.Name} is not marked [Block]");
        }

        if (spec.Kind == DeclarationKind.Model)
        {
            return new BlockProblem(DiagnosticIds.NotABlock, $"{block.Name} is a model (it has an [Input])");
        }

        if (!spec.InSource)
        {
            return new BlockProblem(DiagnosticIds.BlockFromAnotherAssembly, block.Name);
        }

        var cycleStart = IndexOf(enclosing, block.MetadataName);
        if (cycleStart >= 0)
        {
            var names = enclosing.Skip(cycleStart).Select(Name).Concat(new[] { block.Name });
            return new BlockProblem(DiagnosticIds.BlockCycle, string.Join(" → ", names));
        }

        if (Cycle(block.MetadataName, new List<string>(enclosing) { block.MetadataName }) is { } cycle)
        {
            return new BlockProblem(DiagnosticIds.BlockCycle, cycle);
        }

        if (spec.Mode != EmitMode.Full || spec.HasErrors || ShapeInference.ValidateLayers(spec).Count > 0)
        {
            return new BlockProblem(DiagnosticIds.BlockHasErrors, block.Name);
        }

        return null;
    }

    /// <summary>A cycle reachable from <paramref name="name"/> (as text), looking through the blocks it places.</summary>
    private string? Cycle(string name, List<string> path)
    {
        if (!blocks.TryGetValue(name, out var spec))
        {
            return null;
        }

        foreach (var next in spec.Layers.OfType<CompositeLayer>().SelectMany(l => l.Blocks).Select(b => b.MetadataName).Distinct())
        {
            var start = path.IndexOf(next);
            if (start >= 0)
            {
                return string.Join(" → ", path.Skip(start).Concat(new[] { next }).Select(Name));
            }

            path.Add(next);
            var found = Cycle(next, path);
            path.RemoveAt(path.Count - 1);
            if (found is not null)
            {
                return found;
            }
        }

        return null;
    }

    private string Name(string metadataName) => blocks.TryGetValue(metadataName, out var spec) ? spec.ClassName : metadataName;

    private static int IndexOf(IReadOnlyList<string> list, string item)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] == item)
            {
                return i;
            }
        }

        return -1;
    }
}
