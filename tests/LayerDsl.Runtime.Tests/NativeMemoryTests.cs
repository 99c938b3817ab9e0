using LayerDsl.Training;
using Xunit;

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
}
