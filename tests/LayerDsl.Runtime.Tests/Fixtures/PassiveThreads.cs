using System.Runtime.CompilerServices;
using LayerDsl.Training;

namespace LayerDsl.Runtime.Tests.Fixtures;

/// <summary>
/// The test process waits like the application does: idle OpenMP threads sleep instead of spinning, set before libtorch
/// loads (spinning threads made the real-data training test several times slower on a shared machine). Not even the
/// application's short spin: the tests run in parallel on every core.
/// </summary>
internal static class PassiveThreads
{
    [ModuleInitializer]
    internal static void Initialize() => SetHere = NativeThreading.PreferPassiveWaiting(spinCount: 0);

    /// <summary>Whether the initializer set the policy (false when the environment already chose one).</summary>
    internal static bool SetHere { get; private set; }
}
