using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using LayerDsl.Generator.Helpers;
using LayerDsl.Generator.Models;

namespace LayerDsl.Generator;

/// <summary>A block placed at one input shape somewhere in a model (or in a block a model places).</summary>
internal sealed record BlockUse(string MetadataName, Shape Input);

/// <summary>A block with its layers inferred at each input shape where models place it: what its emission needs.</summary>
internal sealed record BlockResult(ModelSpec Block, EquatableArray<ShapeTrace> Variants);

/// <summary>Collects where blocks are placed, so each block is built for exactly those input shapes.</summary>
internal static class BlockUses
{
    /// <summary>Every block placement in a valid model's trace, nested ones included.</summary>
    public static EquatableArray<BlockUse> Of(ModelResult result)
    {
        var uses = new List<BlockUse>();
        if (result.Trace is { } trace)
        {
            Collect(trace.Layers, uses);
        }

        return uses.Distinct().ToEquatableArray();
    }

    /// <summary>The placements of all models, without repeats, in a stable order.</summary>
    public static EquatableArray<BlockUse> Merge(ImmutableArray<EquatableArray<BlockUse>> all) =>
        all.SelectMany(u => u)
            .Distinct()
            .OrderBy(u => u.MetadataName, System.StringComparer.Ordinal)
            .ThenBy(u => u.Input.ToString(), System.StringComparer.Ordinal)
            .ToEquatableArray();

    /// <summary>The block's layers at each shape it is placed at (shapes where it does not fit are the placing model's error).</summary>
    public static BlockResult Variants(ModelSpec block, EquatableArray<BlockUse> uses)
    {
        var variants = new List<ShapeTrace>();
        if (block.Mode == EmitMode.Full && !block.HasErrors)
        {
            foreach (var use in uses.Where(u => u.MetadataName == block.MetadataName))
            {
                if (ShapeInference.InferBlock(block, use.Input) is { } trace)
                {
                    variants.Add(trace);
                }
            }
        }

        return new BlockResult(block, variants.ToEquatableArray());
    }

    private static void Collect(IEnumerable<LayerTrace> layers, List<BlockUse> uses)
    {
        foreach (var layer in layers)
        {
            foreach (var branch in layer.Branches)
            {
                uses.Add(new BlockUse(branch.Block.MetadataName, branch.Input));
                Collect(branch.Layers, uses);
            }
        }
    }
}
