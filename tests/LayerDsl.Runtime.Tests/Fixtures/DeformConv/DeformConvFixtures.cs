using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace LayerDsl.Runtime.Tests.Fixtures;

/// <summary>
/// The cases of <c>deform_conv2d.json</c>, written by <c>make_fixtures.py</c> from torchvision's own
/// <c>ops.deform_conv2d</c>: arguments, float64 inputs, torchvision's output, an upstream gradient and torchvision's
/// gradients with respect to every input.
/// </summary>
internal static class DeformConvFixtures
{
    private static readonly Lazy<IReadOnlyDictionary<string, DeformConvCase>> Cases = new(Load);

    public static string FilePath => Path.Combine(AppContext.BaseDirectory, "Fixtures", "DeformConv", "deform_conv2d.json");

    public static IEnumerable<string> Names => Cases.Value.Keys;

    public static DeformConvCase Get(string name) => Cases.Value[name];

    private static IReadOnlyDictionary<string, DeformConvCase> Load()
    {
        if (!File.Exists(FilePath))
            throw new FileNotFoundException(
                $"The deformable-convolution fixtures are missing from the test output ({FilePath}); "
                + "the test project copies Fixtures/DeformConv/*.json there, so rebuild it.", FilePath);
        using var document = JsonDocument.Parse(File.ReadAllText(FilePath));
        var cases = new Dictionary<string, DeformConvCase>(StringComparer.Ordinal);
        foreach (var item in document.RootElement.GetProperty("cases").EnumerateArray())
        {
            var tensors = new Dictionary<string, FlatTensor>(StringComparer.Ordinal);
            foreach (var property in item.GetProperty("tensors").EnumerateObject())
            {
                long[] shape = property.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                double[] data = property.Value.GetProperty("data").EnumerateArray().Select(e => e.GetDouble()).ToArray();
                if (data.Length != shape.Aggregate(1L, (a, b) => a * b))
                    throw new InvalidDataException($"{FilePath}: tensor {property.Name} has {data.Length} values for shape [{string.Join(", ", shape)}].");
                tensors.Add(property.Name, new FlatTensor(shape, data));
            }

            string name = item.GetProperty("name").GetString()!;
            cases.Add(name, new DeformConvCase(
                name,
                Pair(item.GetProperty("stride")),
                Pair(item.GetProperty("padding")),
                Pair(item.GetProperty("dilation")),
                item.GetProperty("offset_groups").GetInt64(),
                item.GetProperty("groups").GetInt64(),
                tensors));
        }

        return cases;
    }

    private static (long, long) Pair(JsonElement element) => (element[0].GetInt64(), element[1].GetInt64());
}

/// <summary>A tensor as the fixture file stores it: a shape and its row-major values.</summary>
internal sealed record FlatTensor(long[] Shape, double[] Data)
{
    /// <summary>A new float64 CPU tensor holding these values.</summary>
    public Tensor ToTensor() => tensor(Data, Shape, ScalarType.Float64);
}

/// <summary>One torchvision reference case.</summary>
internal sealed record DeformConvCase(
    string Name,
    (long Height, long Width) Stride,
    (long Height, long Width) Padding,
    (long Height, long Width) Dilation,
    long OffsetGroups,
    long Groups,
    IReadOnlyDictionary<string, FlatTensor> Tensors)
{
    /// <summary>The tensor of that name, or null when the case has none (no mask, no bias).</summary>
    public Tensor? Optional(string name) => Tensors.TryGetValue(name, out var t) ? t.ToTensor() : null;

    /// <summary>The tensor of that name.</summary>
    public Tensor Required(string name) => Tensors[name].ToTensor();
}
