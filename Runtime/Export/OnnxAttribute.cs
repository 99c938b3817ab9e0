using System;
using System.Linq;
using Google.Protobuf;
using Onnx;

namespace LayerDsl.Export;

/// <summary>A named attribute of an ONNX node: an integer, a float, a string, or a list of integers or floats.</summary>
public sealed class OnnxAttribute
{
    private OnnxAttribute(AttributeProto proto) => Proto = proto;

    /// <summary>The attribute's name, as the operator's specification spells it (for instance <c>kernel_shape</c>).</summary>
    public string Name => Proto.Name;

    internal AttributeProto Proto { get; }

    /// <summary>An integer attribute.</summary>
    /// <param name="name">Attribute name.</param>
    /// <param name="value">Value.</param>
    public static OnnxAttribute Int(string name, long value) =>
        new(new AttributeProto { Name = CheckName(name), Type = AttributeProto.Types.AttributeType.Int, I = value });

    /// <summary>A list-of-integers attribute.</summary>
    /// <param name="name">Attribute name.</param>
    /// <param name="values">Values.</param>
    public static OnnxAttribute Ints(string name, params long[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var proto = new AttributeProto { Name = CheckName(name), Type = AttributeProto.Types.AttributeType.Ints };
        proto.Ints.AddRange(values);
        return new OnnxAttribute(proto);
    }

    /// <summary>A float attribute.</summary>
    /// <param name="name">Attribute name.</param>
    /// <param name="value">Value.</param>
    public static OnnxAttribute Float(string name, float value) =>
        new(new AttributeProto { Name = CheckName(name), Type = AttributeProto.Types.AttributeType.Float, F = value });

    /// <summary>A list-of-floats attribute.</summary>
    /// <param name="name">Attribute name.</param>
    /// <param name="values">Values.</param>
    public static OnnxAttribute Floats(string name, params float[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var proto = new AttributeProto { Name = CheckName(name), Type = AttributeProto.Types.AttributeType.Floats };
        proto.Floats.AddRange(values);
        return new OnnxAttribute(proto);
    }

    /// <summary>A string attribute (UTF-8).</summary>
    /// <param name="name">Attribute name.</param>
    /// <param name="value">Value.</param>
    public static OnnxAttribute String(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(new AttributeProto
        {
            Name = CheckName(name),
            Type = AttributeProto.Types.AttributeType.String,
            S = ByteString.CopyFromUtf8(value),
        });
    }

    /// <inheritdoc />
    public override string ToString() => Proto.Type switch
    {
        AttributeProto.Types.AttributeType.Int => $"{Name}={Proto.I}",
        AttributeProto.Types.AttributeType.Ints => $"{Name}=[{string.Join(", ", Proto.Ints)}]",
        AttributeProto.Types.AttributeType.Float => $"{Name}={Proto.F}",
        AttributeProto.Types.AttributeType.Floats => $"{Name}=[{string.Join(", ", Proto.Floats.Select(f => f.ToString(System.Globalization.CultureInfo.InvariantCulture)))}]",
        _ => $"{Name}=\"{Proto.S.ToStringUtf8()}\"",
    };

    private static string CheckName(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return name;
    }
}
