using System;
using System.IO;
using System.Runtime.CompilerServices;
using System.Threading;
using LayerDsl.Runtime.Tests.Fixtures;
using LayerDsl.Training;
using Xunit;
using static TorchSharp.torch;

namespace LayerDsl.Runtime.Tests;

public sealed class NativeMemoryTests
{
    private const long MB = 1L << 20;

    [Theory]
    [InlineData(800, 1100, false)]    // +300 MB on 800 MB: less than half
    [InlineData(800, 1201, true)]     // +401 MB: more than half and more than 256 MB
    [InlineData(200, 400, false)]     // doubled, but only +200 MB
    [InlineData(200, 457, true)]      // +257 MB
    [InlineData(2000, 2900, false)]   // +900 MB on 2 GB
    [InlineData(2000, 3001, true)]
    [InlineData(1000, 900, false)]    // shrank
    public void TrimsOnlyAfterGrowingByHalfAndAtLeast256MB(long baselineMB, long residentMB, bool trims)
    {
        Assert.Equal(trims, NativeMemory.Grown(baselineMB * MB, residentMB * MB));
    }

    [Fact]
    public void ReleasingFinalizedNativeMemoryRunsThePendingFinalizers()
    {
        int before = Volatile.Read(ref Finalizable.Finalized);
        Abandon(100);

        NativeMemory.ReleaseFinalizedNativeMemory();

        // Other tests may abandon their own: at least these hundred were finalized by the time the call returned.
        Assert.True(Volatile.Read(ref Finalizable.Finalized) - before >= 100, "the abandoned objects' finalizers did not run");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Abandon(int count)
    {
        for (int i = 0; i < count; i++)
            _ = new Finalizable();
    }

    private sealed class Finalizable
    {
        public static int Finalized;

        ~Finalizable() => Interlocked.Increment(ref Finalized);
    }
}

/// <summary>
/// Alone, after the parallel tests (<see cref="RunsAlone"/>): it counts the whole process's page faults, which another
/// test allocating at the same time would add to.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class KeptMemoryTests
{
    private const long MB = 1L << 20;

    [Fact]
    public void KeptFreedMemoryServesTheNextBatchesTensorsWithoutFreshPages()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.False(NativeMemory.KeepFreedMemory());
            return;
        }

        Assert.True(NativeMemory.KeepFreedMemory(), "glibc refused the thresholds");
        Assert.True(NativeMemory.KeepFreedMemory(), "a second call must report the settings kept");

        // A batch's worth of large tensors (5 x 16 MB, together more than glibc would otherwise keep at the heap's top),
        // written and freed: with the memory kept, later batches reuse the same pages. On a thread of its own, whose heap
        // the runtime's compiler and the test runner do not share: their small allocations in between would make the
        // count depend on timing.
        const int batches = 5;
        long faults = 0;
        var thread = new Thread(() =>
        {
            for (int warmUp = 0; warmUp < 3; warmUp++)
                Batch();
            long before = MinorFaults();
            for (int batch = 0; batch < batches; batch++)
                Batch();
            faults = MinorFaults() - before;
        });
        thread.Start();
        thread.Join();

        // Fresh pages would fault once per 4 KB page written: 5 x 5 x 16 MB / 4 KB = 102,400.
        Assert.True(faults < 2_000, $"{faults} page faults over {batches} batches of 80 MB: freed memory was returned and taken again");
    }

    private static void Batch()
    {
        using var scope = NewDisposeScope();
        for (int i = 0; i < 5; i++)
            empty(16 * MB / sizeof(float)).fill_(1);
    }

    /// <summary>The process's minor page faults so far: field 10 of /proc/self/stat.</summary>
    private static long MinorFaults()
    {
        string stat = File.ReadAllText("/proc/self/stat");
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[7], System.Globalization.CultureInfo.InvariantCulture);
    }
}
