using System;
using System.Collections.Generic;

namespace LayerDsl.Generator.Layers;

/// <summary>The layer attributes the generator understands, by metadata name.</summary>
internal static class LayerKinds
{
    public const string InputAttribute = "LayerDsl.InputAttribute";

    /// <summary>The base class of every layer attribute; a subclass without a rule here is an error, never skipped.</summary>
    public const string LayerAttribute = "LayerDsl.LayerAttribute";

    public static readonly IReadOnlyDictionary<string, Func<AttributeArgs, LayerSpec>> Parsers =
        new Dictionary<string, Func<AttributeArgs, LayerSpec>>
        {
            ["LayerDsl.Conv2DAttribute"] = Conv2DLayer.Parse,
            ["LayerDsl.MaskedConvAttribute"] = MaskedConvLayer.Parse,
            ["LayerDsl.MaxPool2DAttribute"] = PoolLayer.ParseMax,
            ["LayerDsl.AvgPool2DAttribute"] = PoolLayer.ParseAvg,
            ["LayerDsl.FlattenAttribute"] = FlattenLayer.Parse,
            ["LayerDsl.DenseAttribute"] = DenseLayer.Parse,
            ["LayerDsl.DropoutAttribute"] = DropoutLayer.Parse,
            ["LayerDsl.BatchNormAttribute"] = BatchNormLayer.Parse,
            ["LayerDsl.ReLUAttribute"] = ActivationLayer.ParseReLU,
            ["LayerDsl.TanhAttribute"] = ActivationLayer.ParseTanh,
            ["LayerDsl.SigmoidAttribute"] = ActivationLayer.ParseSigmoid,
            ["LayerDsl.SoftmaxAttribute"] = ActivationLayer.ParseSoftmax,
        };
}
