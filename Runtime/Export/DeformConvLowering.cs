namespace LayerDsl.Export;

/// <summary>How <see cref="OnnxGraphBuilder.DeformConv2d"/> writes a deformable convolution.</summary>
public enum DeformConvLowering
{
    /// <summary>ONNX's <c>DeformConv</c> from opset 19 on, <see cref="GridSample"/> below.</summary>
    Auto = 0,

    /// <summary>ONNX's <c>DeformConv</c> operator (opset 19 or newer).</summary>
    DeformConvOperator = 1,

    /// <summary>
    /// Standard operators around <c>GridSample</c> (opset 16 or newer), for runtimes without <c>DeformConv</c>.
    /// </summary>
    GridSample = 2,
}
