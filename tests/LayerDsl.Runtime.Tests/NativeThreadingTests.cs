using System;
using System.Runtime.InteropServices;
using LayerDsl.Runtime.Tests.Fixtures;
using LayerDsl.Training;
using Xunit;

namespace LayerDsl.Runtime.Tests;

public sealed class NativeThreadingTests
{
    [Fact]
    public void TheCLibrarySeesThePolicySetForTheTestProcess()
    {
        // The module initializer asked for no spin before libtorch loaded (unless the environment had chosen a policy);
        // libgomp reads the C library's environment, not .NET's copy, so both must agree.
        string? policy = Marshal.PtrToStringUTF8(getenv(NativeThreading.WaitPolicyVariable));
        Assert.Equal(Environment.GetEnvironmentVariable(NativeThreading.WaitPolicyVariable), policy);
        Assert.Equal(Environment.GetEnvironmentVariable(NativeThreading.SpinCountVariable), Marshal.PtrToStringUTF8(getenv(NativeThreading.SpinCountVariable)));
        if (PassiveThreads.SetHere)
            Assert.Equal("PASSIVE", policy);
    }

    [Fact]
    public void ANegativeSpinCountIsRefused()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => NativeThreading.PreferPassiveWaiting(-1));
        Assert.Equal("spinCount", e.ParamName);
    }

    [Fact]
    public void AChosenPolicyIsKept()
    {
        // The policy is already set (by the module initializer, or by the user): nothing changes, not even the spin count.
        Assert.False(NativeThreading.PreferPassiveWaiting(5000));
        Assert.NotEqual("5000", Environment.GetEnvironmentVariable(NativeThreading.SpinCountVariable));
    }

    [DllImport("libc")]
    private static extern IntPtr getenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name);
}
