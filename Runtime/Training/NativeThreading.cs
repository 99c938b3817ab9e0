using System;
using System.Runtime.InteropServices;

namespace LayerDsl.Training;

/// <summary>
/// Settings for libtorch's OpenMP thread pool that must be in the process environment before libtorch loads.
/// </summary>
public static class NativeThreading
{
    /// <summary>The OpenMP variable that decides whether idle worker threads spin or sleep.</summary>
    public const string WaitPolicyVariable = "OMP_WAIT_POLICY";

    /// <summary>
    /// Makes idle OpenMP workers sleep instead of spin (<c>OMP_WAIT_POLICY=PASSIVE</c>) unless the user chose a policy.
    /// On a shared or busy machine spinning workers fight every other process for the cores; measured here on a loaded
    /// 2-core machine, two spinning threads trained 2-4x slower than one, two passive ones about as fast as one or faster.
    /// Call it first thing in <c>Main</c>, before any TorchSharp call: OpenMP reads the variable once, when libtorch loads.
    /// Returns whether it set the variable.
    /// </summary>
    public static bool PreferPassiveWaiting()
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(WaitPolicyVariable)) || OperatingSystem.IsWindows())
        {
            return false;
        }

        // .NET keeps its own copy of the environment; native code (libgomp) reads the C library's, so set both.
        Environment.SetEnvironmentVariable(WaitPolicyVariable, "PASSIVE");
        return setenv(WaitPolicyVariable, "PASSIVE", 0) == 0;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int setenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);
}
