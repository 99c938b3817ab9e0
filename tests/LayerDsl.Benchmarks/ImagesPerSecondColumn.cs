using System;
using System.Reflection;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace LayerDsl.Benchmarks;

/// <summary>How many images one invocation of the benchmark method processes.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ImagesAttribute(int count) : Attribute
{
    /// <summary>Images per invocation.</summary>
    public int Count { get; } = count;
}

/// <summary>Images per second from the median time, for methods marked with <see cref="ImagesAttribute"/>.</summary>
public sealed class ImagesPerSecondColumn : IColumn
{
    /// <summary>The column.</summary>
    public static readonly ImagesPerSecondColumn Instance = new();

    public string Id => nameof(ImagesPerSecondColumn);

    public string ColumnName => "images/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Images per second at the median time of one invocation";

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var images = benchmarkCase.Descriptor.WorkloadMethod.GetCustomAttribute<ImagesAttribute>()?.Count;
        var median = summary[benchmarkCase]?.ResultStatistics?.Median;
        return images is int count && median is double nanoseconds && nanoseconds > 0
            ? (count / (nanoseconds * 1e-9)).ToString("N0", style.CultureInfo)
            : "-";
    }
}
