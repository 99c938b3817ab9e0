using System;
using System.Runtime.InteropServices;

namespace LayerDsl.Training;

/// <summary>
/// How libtorch's freed memory is kept or given back: the trainer calls these, and a training loop of your own can call
/// <see cref="KeepFreedMemory"/> once before it (and, when no other thread runs TorchSharp meanwhile,
/// <see cref="ReleaseFinalizedNativeMemory"/> after every step) to train as fast.
/// </summary>
public static class NativeMemory
{
    private static bool unavailable;

    /// <summary>
    /// On Linux with glibc, <c>malloc_trim(0)</c>: the trainer calls it after every epoch's evaluation. Alternating
    /// training batches and large evaluation batches leaves glibc's heaps fragmented, so the process's resident memory
    /// grew by about 1 GB per epoch of the origin's masked network on Fashion-MNIST although no tensor outlived its step;
    /// trimmed once per epoch it stays flat (measured: 439 MB after epoch 2, 451 MB after epoch 5, 100 batches an epoch
    /// plus 10,000 test images). Costs a few milliseconds; elsewhere (Windows, macOS, musl) it does nothing.
    /// </summary>
    public static void ReturnFreedMemory() => CallGlibc(() =>
    {
        malloc_trim(0);
        return true;
    });

    /// <summary>
    /// Runs <paramref name="call"/> on Linux unless glibc's functions were found missing before (musl, say): false
    /// elsewhere, or when they are missing now, which is remembered.
    /// </summary>
    private static bool CallGlibc(Func<bool> call)
    {
        if (unavailable || !OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            return call();
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            unavailable = true;
            return false;
        }
    }

    /// <summary>Resident memory, in bytes, when <see cref="ReturnFreedMemoryIfGrown"/> last trimmed (or was last reset).</summary>
    [ThreadStatic]
    private static long baseline;

    /// <summary>
    /// Trims (as <see cref="ReturnFreedMemory"/>) only when the process's resident memory has grown by more than half, and
    /// at least 256 MB, since the last trim: the trainer checks every 25 training batches. Within one epoch glibc's heaps
    /// fragment too: MaskedConvNet at two threads climbed from about 0.8 GB to 2-4 GB by an epoch's last batch, a different
    /// peak every epoch. A model whose memory stays put (StandardCnn) is never trimmed, so it pays nothing.
    /// </summary>
    public static void ReturnFreedMemoryIfGrown()
    {
        long resident = Environment.WorkingSet;
        if (baseline == 0 || resident < baseline)
        {
            baseline = resident;
            return;
        }

        if (Grown(baseline, resident))
        {
            ReturnFreedMemory();
            baseline = Environment.WorkingSet;
        }
    }

    /// <summary>True when <paramref name="resident"/> exceeds <paramref name="baseline"/> by more than half of it and by at least 256 MB.</summary>
    internal static bool Grown(long baseline, long resident) => resident - baseline > Math.Max(256L << 20, baseline / 2);

    private static bool kept;

    /// <summary>
    /// On Linux with glibc, keeps memory that libtorch frees on the process's heap for the next batch instead of returning
    /// it to the operating system as soon as the top of the heap is free: a batch's large tensors (an activation of the
    /// origin's masked network is 9 MB) then reuse pages already mapped instead of taking fresh ones, each first touch of
    /// which costs a page fault and the page's zeroing. Sets glibc's trim threshold to its largest value, its mmap
    /// threshold to 32 MB (glibc's own ceiling for the threshold it otherwise adjusts at run time) and its top pad to
    /// 64 MB (heaps grow, and are kept, in steps of that much address space; a page counts only once written):
    /// process-wide, from the first call on. The trainer calls it when training starts and still trims after every epoch
    /// (<see cref="ReturnFreedMemory"/>) and when memory grows (<see cref="ReturnFreedMemoryIfGrown"/>), so memory is
    /// given back at those points. Measured on the origin's masked network (batch 128, with
    /// <see cref="ReleaseFinalizedNativeMemory"/> every batch): page faults per training step fell from about 1,800 to
    /// 12-47 and a step took 17.3 ms instead of 21.8 ms at one thread. Elsewhere (Windows, macOS, musl) it does nothing.
    /// </summary>
    /// <returns>True when glibc accepted all three settings (now or at an earlier call).</returns>
    public static bool KeepFreedMemory()
    {
        // The mmap threshold first: setting either threshold turns glibc's run-time adjustment of both off, and a trim
        // threshold alone would leave every allocation above 128 KB on its own fresh mapping. The top pad keeps a thread's
        // heap (glibc gives each thread's arena 64 MB heaps) from being unmapped as soon as its last tensor is freed, to be
        // mapped afresh for the next batch.
        kept = kept || CallGlibc(() => mallopt(MmapThreshold, 32 << 20) == 1
            && mallopt(TrimThreshold, int.MaxValue) == 1
            && mallopt(TopPad, 64 << 20) == 1);
        return kept;
    }

    /// <summary>
    /// Whether the trainer runs <see cref="ReleaseFinalizedNativeMemory"/> after every training batch: false unless set.
    /// Set it in an application whose only TorchSharp work while training is the trainer's (the <c>compare</c> command
    /// does), never in a process where other threads run TorchSharp at the same time (see
    /// <see cref="ReleaseFinalizedNativeMemory"/>). Measured (<c>compare</c>, old and new build alternated twice):
    /// without it MaskedConvNet trained at 9,135 and 9,336 images/s at two threads and 6,525 and 6,383 at one, with it at
    /// 12,249 and 11,835, and 7,428 and 7,727.
    /// </summary>
    public static bool ReleaseFinalizedEachBatch { get; set; }

    /// <summary>
    /// Runs a gen-0 garbage collection and waits for the finalizers it queued. Some native objects behind TorchSharp's
    /// API are freed only by a .NET finalizer, not by a dispose scope: every <c>Scalar</c> made implicitly from a number
    /// (an optimizer step makes several per parameter). Without a collection they pile up for thousands of batches, each
    /// a small allocation carved out of the holes that a batch's large tensors left, so those holes no longer fit the next
    /// batch's tensors and the heap keeps growing into fresh pages. Measured on the origin's masked network (batch 128):
    /// 300 steps grew resident memory to 1.6 GB without it and left it at 220-320 MB with it; the call itself takes about
    /// 0.16 ms (median of 1,900, 50 abandoned Scalars each). The trainer calls it after every training batch when
    /// <see cref="ReleaseFinalizedEachBatch"/> is set.
    /// <para>
    /// Call it only when no other thread runs TorchSharp at the same time: TorchSharp (0.107) passes a temporary
    /// <c>Scalar</c>'s native handle to libtorch without keeping the <c>Scalar</c> alive, so a collection forced here can
    /// free a <c>Scalar</c> that another thread is handing to libtorch at that moment (seen once: a test training in
    /// parallel with others failed inside <c>addcmul_</c> with a corrupt scalar).
    /// </para>
    /// </summary>
    public static void ReleaseFinalizedNativeMemory()
    {
        GC.Collect(0, GCCollectionMode.Forced, blocking: true);
        GC.WaitForPendingFinalizers();
    }

    // mallopt parameters, from glibc's malloc.h.
    private const int TrimThreshold = -1;
    private const int TopPad = -2;
    private const int MmapThreshold = -3;

    [DllImport("libc")]
    private static extern int malloc_trim(nuint pad);

    [DllImport("libc")]
    private static extern int mallopt(int param, int value);
}
