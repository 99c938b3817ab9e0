using System;
using System.Collections.Generic;

namespace LayerDsl.Generator.Layers;

/// <summary>The layer attributes the generator understands, by metadata name.</summary>
internal static class LayerKinds
{
    public const string InputAttribute = "LayerDsl.InputAttribute";

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

    /// <summary>True for the Input attribute and every layer attribute.</summary>
    public static bool IsLayerDslAttribute(string metadataName) => metadataName == InputAttribute || Parsers.ContainsKey(metadataName);
}
