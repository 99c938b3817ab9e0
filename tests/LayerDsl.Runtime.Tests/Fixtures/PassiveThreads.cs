using System.Runtime.CompilerServices;
using LayerDsl.Training;

namespace LayerDsl.Runtime.Tests.Fixtures;

/// <summary>
/// The test process waits like the application does: idle OpenMP threads sleep instead of spinning, set before libtorch
/// loads (spinning threads made the real-data training test several times slower on a shared machine).
/// </summary>
internal static class PassiveThreads
{
    [ModuleInitializer]
    internal static void Initialize() => NativeThreading.PreferPassiveWaiting();
}
