using System;
using System.Globalization;
using System.Runtime.InteropServices;

namespace LayerDsl.Training;

/// <summary>
/// Settings for libtorch's OpenMP thread pool that must be in the process environment before libtorch loads.
/// </summary>
public static class NativeThreading
{
    /// <summary>The OpenMP variable that decides whether idle worker threads spin or sleep.</summary>
    public const string WaitPolicyVariable = "OMP_WAIT_POLICY";

    /// <summary>GNU OpenMP's (libgomp's) variable: how many times an idle worker checks for work before it sleeps.</summary>
    public const string SpinCountVariable = "GOMP_SPINCOUNT";

    /// <summary>
    /// The spin count <see cref="PreferPassiveWaiting"/> sets by default: an idle worker checks for work this many times,
    /// pausing the processor briefly between checks, before it sleeps.
    /// </summary>
    public const int DefaultSpinCount = 3000;

    /// <summary>
    /// Makes idle OpenMP workers sleep instead of spinning for long (<c>OMP_WAIT_POLICY=PASSIVE</c>), after a short spin
    /// (<c>GOMP_SPINCOUNT</c>, <paramref name="spinCount"/> checks; 0 leaves it unset: sleep at once), unless the user
    /// chose a policy or a spin count. libgomp's own default spins 300,000 times: on a shared or busy machine spinning
    /// workers fight every other process for the cores (measured on a loaded 2-core machine: two spinning threads trained
    /// 2-4x slower than one). Sleeping at once costs a wake-up per parallel operation instead: on the same machine idle,
    /// the origin's masked network trained 1.2-1.25x faster at two threads with 3,000 checks than with none (a training
    /// step of 11.6 against 14.3 ms), and with another process keeping one core busy 1.08x slower (24.1 against 22.3 ms;
    /// 10,000 checks: 1.3x faster idle, 1.5x slower beside the busy process). Call it first thing in <c>Main</c>, before any
    /// TorchSharp call: OpenMP reads the variables once, when libtorch loads. Returns whether it set the policy.
    /// </summary>
    /// <param name="spinCount">Checks an idle worker makes before sleeping; 0 for none.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="spinCount"/> is negative.</exception>
    public static bool PreferPassiveWaiting(int spinCount = DefaultSpinCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(spinCount);
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(WaitPolicyVariable)) || OperatingSystem.IsWindows())
        {
            return false;
        }

        if (!SetBoth(WaitPolicyVariable, "PASSIVE"))
        {
            return false;
        }

        if (spinCount > 0 && string.IsNullOrEmpty(Environment.GetEnvironmentVariable(SpinCountVariable)))
        {
            SetBoth(SpinCountVariable, spinCount.ToString(CultureInfo.InvariantCulture));
        }

        return true;
    }

    /// <summary>
    /// Sets a variable in .NET's copy of the environment and in the C library's, which native code (libgomp) reads.
    /// </summary>
    private static bool SetBoth(string name, string value)
    {
        Environment.SetEnvironmentVariable(name, value);
        return setenv(name, value, 0) == 0;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int setenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);
}
