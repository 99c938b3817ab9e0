using System;
using System.Collections.Generic;
using static TorchSharp.torch;

namespace LayerDsl.Runtime.Tests;

/// <summary>
/// The run-time guard's messages word for word: the layout it names for each rank, the token check, and the choice of a
/// block's variant with the message that says how to get a missing one. (<see cref="GuardTests"/> covers the guard through
/// generated models' entry points.)
/// </summary>
public sealed class ShapeGuardTests
{
    [Theory]
    [InlineData(new long[] { 10 }, new long[] { 4, 12 }, "Net expects input of shape [batch, 10] (batch, features), but got [4, 12].")]
    [InlineData(new long[] { 3, 16 }, new long[] { 4, 16, 3 }, "Net expects input of shape [batch, 3, 16] (NCL: batch, channels, length), but got [4, 16, 3].")]
    [InlineData(new long[] { 1, 28, 20 }, new long[] { 4, 1, 20, 28 }, "Net expects input of shape [batch, 1, 28, 20] (NCHW: batch, channels, height, width), but got [4, 1, 20, 28].")]
    [InlineData(new long[] { 2, 3, 4, 5 }, new long[] { 1, 2, 3, 4, 6 }, "Net expects input of shape [batch, 2, 3, 4, 5] (batch first), but got [1, 2, 3, 4, 6].")]
    [InlineData(new long[] { 1, 28, 20 }, new long[] { 1, 28, 20 }, "Net expects input of shape [batch, 1, 28, 20] (NCHW: batch, channels, height, width), but got [1, 28, 20].")]
    [InlineData(new long[] { 10 }, new long[] { 4, 10, 1 }, "Net expects input of shape [batch, 10] (batch, features), but got [4, 10, 1].")]
    public void A_wrong_shape_is_named_with_the_expected_layout(long[] sample, long[] actual, string message)
    {
        using var input = zeros(actual);

        var error = Assert.Throws<ArgumentException>(() => ShapeGuard.CheckInput(input, "Net", sample));

        Assert.Equal("input", error.ParamName);
        Assert.Equal(message + " (Parameter 'input')", error.Message);
    }

    [Theory]
    [InlineData(new long[] { 10 }, new long[] { 1, 10 })]
    [InlineData(new long[] { 10 }, new long[] { 0, 10 })]
    [InlineData(new long[] { 3, 16 }, new long[] { 7, 3, 16 })]
    [InlineData(new long[] { 1, 28, 20 }, new long[] { 2, 1, 28, 20 })]
    public void The_right_shape_passes_at_any_batch_size(long[] sample, long[] actual)
    {
        using var input = zeros(actual);

        ShapeGuard.CheckInput(input, "Net", sample);
        ShapeGuard.CheckInput(input, "Net", (IReadOnlyList<long>)sample);
    }

    [Fact]
    public void The_channels_height_width_overload_checks_each_axis_in_that_order()
    {
        using var right = zeros(2, 3, 5, 7);
        ShapeGuard.CheckInput(right, "Net", 3, 5, 7);

        var error = Assert.Throws<ArgumentException>(() => ShapeGuard.CheckInput(right, "Net", 3, 7, 5));
        Assert.StartsWith("Net expects input of shape [batch, 3, 7, 5] (NCHW: batch, channels, height, width), but got [2, 3, 5, 7].", error.Message);
    }

    [Fact]
    public void Null_arguments_are_refused_by_name()
    {
        using var input = zeros(1, 2);
        Assert.Equal("input", Assert.Throws<ArgumentNullException>(() => ShapeGuard.CheckInput(null!, "Net", new long[] { 2 })).ParamName);
        Assert.Equal("sample", Assert.Throws<ArgumentNullException>(() => ShapeGuard.CheckInput(input, "Net", null!)).ParamName);
    }

    [Fact]
    public void Tokens_must_be_int64_ids_of_the_declared_length()
    {
        using var ids = zeros(new long[] { 2, 8 }, ScalarType.Int64);
        ShapeGuard.CheckTokens(ids, "Reader", new long[] { 8 });

        using var floats = zeros(2, 8);
        var dtype = Assert.Throws<ArgumentException>(() => ShapeGuard.CheckTokens(floats, "Reader", new long[] { 8 }));
        Assert.Equal("input", dtype.ParamName);
        Assert.Equal("Reader expects int64 token ids, but got Float32 values; convert with .to_type(ScalarType.Int64). (Parameter 'input')", dtype.Message);

        using var ints = zeros(new long[] { 2, 8 }, ScalarType.Int32);
        Assert.Contains("but got Int32 values", Assert.Throws<ArgumentException>(() => ShapeGuard.CheckTokens(ints, "Reader", new long[] { 8 })).Message);

        // The shape is checked first, with the shape's message, whatever the type.
        using var shortFloats = zeros(2, 6);
        Assert.StartsWith("Reader expects input of shape [batch, 8] (batch, features), but got [2, 6].",
            Assert.Throws<ArgumentException>(() => ShapeGuard.CheckTokens(shortFloats, "Reader", new long[] { 8 })).Message);
    }

    private static readonly IReadOnlyList<IReadOnlyList<long>> Declared = new IReadOnlyList<long>[]
    {
        new long[] { 8, 14, 14 },
        new long[] { 16, 7, 7 },
        new long[] { 16, 7 },
    };

    [Theory]
    [InlineData(new long[] { 8, 14, 14 }, 0)]
    [InlineData(new long[] { 16, 7, 7 }, 1)]
    [InlineData(new long[] { 16, 7 }, 2)]
    public void A_block_is_built_for_the_declared_shape_it_is_asked_for(long[] input, int variant)
    {
        Assert.Equal(variant, ShapeGuard.BlockVariant("Stage", Declared, input));
    }

    [Theory]
    [InlineData(new long[] { 16, 7, 7, 1 })] // a declared shape as its prefix
    [InlineData(new long[] { 16 })]          // a prefix of a declared shape
    [InlineData(new long[] { 7, 7, 16 })]    // a declared shape's numbers in another order
    [InlineData(new long[] { 8, 14, 15 })]
    public void Any_other_shape_names_the_declared_ones_and_the_fix(long[] input)
    {
        var error = Assert.Throws<ArgumentException>(() => ShapeGuard.BlockVariant("Stage", Declared, input));

        Assert.Equal("input", error.ParamName);
        Assert.Equal(
            $"Stage cannot be built for input [{string.Join(", ", input)}]: it was built for the input shapes at which models of its project place it: [8, 14, 14], [16, 7, 7], [16, 7]. " +
            "Place the block at that shape in a model (for example with [Use<Stage>]) and rebuild. (Parameter 'input')",
            error.Message);
    }

    [Fact]
    public void A_block_variant_needs_the_declared_shapes_and_the_input()
    {
        Assert.Equal("declared", Assert.Throws<ArgumentNullException>(() => ShapeGuard.BlockVariant("Stage", null!, new long[] { 4 })).ParamName);
        Assert.Equal("input", Assert.Throws<ArgumentNullException>(() => ShapeGuard.BlockVariant("Stage", Declared, null!)).ParamName);
    }

    [Fact]
    public void A_block_no_model_places_says_so()
    {
        var error = Assert.Throws<ArgumentException>(() => ShapeGuard.BlockVariant("Orphan", Array.Empty<IReadOnlyList<long>>(), new long[] { 4, 4 }));

        Assert.Equal(
            "Orphan cannot be built for input [4, 4]: no model of its project places it, so it was built for no input shape. " +
            "Place the block at that shape in a model (for example with [Use<Orphan>]) and rebuild. (Parameter 'input')",
            error.Message);
    }
}
