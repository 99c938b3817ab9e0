using System;
using System.Collections.Generic;

namespace LayerDsl.Generator.Layers;

/// <summary>The layer attributes the generator understands, by metadata name, each with the rule that reads it.</summary>
internal static class LayerKinds
{
    public const string InputAttribute = "LayerDsl.InputAttribute";

    public const string BlockAttribute = "LayerDsl.BlockAttribute";

    /// <summary>The base class of every layer attribute; a subclass without a rule here is an error, never skipped.</summary>
    public const string LayerAttribute = "LayerDsl.LayerAttribute";

    /// <summary>Reads one attribute into its layers (one, except for <c>Use&lt;T&gt;(Repeat = n)</c>).</summary>
    public static readonly IReadOnlyDictionary<string, Func<AttributeArgs, IEnumerable<LayerSpec>>> Parsers =
        new Dictionary<string, Func<AttributeArgs, IEnumerable<LayerSpec>>>
        {
            ["LayerDsl.Conv2DAttribute"] = One(Conv2DLayer.Parse),
            ["LayerDsl.DepthwiseConv2DAttribute"] = One(DepthwiseConv2DLayer.Parse),
            ["LayerDsl.ConvTranspose2DAttribute"] = One(ConvTranspose2DLayer.Parse),
            ["LayerDsl.MaskedConvAttribute"] = One(MaskedConvLayer.Parse),
            ["LayerDsl.DeformConvAttribute"] = One(DeformConvLayer.Parse),
            ["LayerDsl.Conv1DAttribute"] = One(Conv1DLayer.Parse),
            ["LayerDsl.MaxPool2DAttribute"] = One(PoolLayer.ParseMax),
            ["LayerDsl.AvgPool2DAttribute"] = One(PoolLayer.ParseAvg),
            ["LayerDsl.MaxPool1DAttribute"] = One(Pool1DLayer.ParseMax),
            ["LayerDsl.AvgPool1DAttribute"] = One(Pool1DLayer.ParseAvg),
            ["LayerDsl.GlobalAvgPool2DAttribute"] = One(GlobalPoolLayer.ParseAvg2D),
            ["LayerDsl.GlobalMaxPool2DAttribute"] = One(GlobalPoolLayer.ParseMax2D),
            ["LayerDsl.GlobalAvgPool1DAttribute"] = One(GlobalPoolLayer.ParseAvg1D),
            ["LayerDsl.GlobalMaxPool1DAttribute"] = One(GlobalPoolLayer.ParseMax1D),
            ["LayerDsl.FlattenAttribute"] = One(FlattenLayer.Parse),
            ["LayerDsl.DenseAttribute"] = One(DenseLayer.Parse),
            ["LayerDsl.DropoutAttribute"] = One(DropoutLayer.Parse),
            ["LayerDsl.BatchNormAttribute"] = One(BatchNormLayer.Parse),
            ["LayerDsl.LayerNormAttribute"] = One(LayerNormLayer.Parse),
            ["LayerDsl.ReshapeAttribute"] = One(ReshapeLayer.Parse),
            ["LayerDsl.PermuteAttribute"] = One(PermuteLayer.Parse),
            ["LayerDsl.Upsample2DAttribute"] = One(Upsample2DLayer.Parse),
            ["LayerDsl.ReLUAttribute"] = One(ActivationLayer.ParseReLU),
            ["LayerDsl.TanhAttribute"] = One(ActivationLayer.ParseTanh),
            ["LayerDsl.SigmoidAttribute"] = One(ActivationLayer.ParseSigmoid),
            ["LayerDsl.SoftmaxAttribute"] = One(ActivationLayer.ParseSoftmax),
            ["LayerDsl.GELUAttribute"] = One(ActivationLayer.ParseGELU),
            ["LayerDsl.SiLUAttribute"] = One(ActivationLayer.ParseSiLU),
            ["LayerDsl.HardswishAttribute"] = One(ActivationLayer.ParseHardswish),
            ["LayerDsl.LeakyReLUAttribute"] = One(ActivationLayer.ParseLeakyReLU),
            ["LayerDsl.ELUAttribute"] = One(ActivationLayer.ParseELU),
            ["LayerDsl.UseAttribute`1"] = UseLayer.Parse,
            ["LayerDsl.ResidualAttribute`1"] = One(ResidualLayer.Parse),
            ["LayerDsl.ConcatAttribute`2"] = One(BranchesLayer.ParseConcat),
            ["LayerDsl.ConcatAttribute`3"] = One(BranchesLayer.ParseConcat),
            ["LayerDsl.ConcatAttribute`4"] = One(BranchesLayer.ParseConcat),
            ["LayerDsl.AddAttribute`2"] = One(BranchesLayer.ParseAdd),
            ["LayerDsl.AddAttribute`3"] = One(BranchesLayer.ParseAdd),
            ["LayerDsl.AddAttribute`4"] = One(BranchesLayer.ParseAdd),
        };

    private static Func<AttributeArgs, IEnumerable<LayerSpec>> One(Func<AttributeArgs, LayerSpec> parse) => args => new[] { parse(args) };
}
