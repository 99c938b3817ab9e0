using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using LayerDsl.Training;

namespace LayerDsl.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project tests/LayerDsl.Benchmarks -- --filter '*'</c> (about three minutes; filter by class,
/// e.g. <c>--filter '*TrainingStep*'</c>). Benchmarks run in process, so the native set-up of this build's output
/// applies, with idle OpenMP threads sleeping as in the <c>compare</c> command. On a shared machine compare ratios within
/// one run: the Ratio column and images/s.
/// </summary>
internal static class Program
{
    private static void Main(string[] args)
    {
        NativeThreading.PreferPassiveWaiting();
        var job = Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(9)
            .WithId("Step");
        var config = DefaultConfig.Instance
            .AddJob(job)
            .AddColumn(StatisticColumn.Median, ImagesPerSecondColumn.Instance)
            .HideColumns("Error", "StdDev")
            .WithOptions(ConfigOptions.DisableOptimizationsValidator);
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
    }
}
