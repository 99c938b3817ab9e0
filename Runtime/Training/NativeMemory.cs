using System;
using System.Runtime.InteropServices;

namespace LayerDsl.Training;

/// <summary>Gives memory that libtorch freed back to the operating system.</summary>
internal static class NativeMemory
{
    private static bool unavailable;

    /// <summary>
    /// On Linux with glibc, <c>malloc_trim(0)</c>: the trainer calls it after every epoch's evaluation. Alternating
    /// training batches and large evaluation batches leaves glibc's heaps fragmented, so the process's resident memory
    /// grew by about 1 GB per epoch of the origin's masked network on Fashion-MNIST although no tensor outlived its step;
    /// trimmed once per epoch it stays flat (measured: 439 MB after epoch 2, 451 MB after epoch 5, 100 batches an epoch
    /// plus 10,000 test images). Costs a few milliseconds; elsewhere (Windows, macOS, musl) it does nothing.
    /// </summary>
    public static void ReturnFreedMemory()
    {
        if (unavailable || !OperatingSystem.IsLinux())
        {
            return;
        }

        try
        {
            malloc_trim(0);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            unavailable = true;
        }
    }

    [DllImport("libc")]
    private static extern int malloc_trim(nuint pad);
}
