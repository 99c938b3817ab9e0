using System.Runtime.CompilerServices;
using LayerDsl.Training;

namespace LayerDsl.Generator.Tests.Infrastructure;

/// <summary>
/// The test process waits like the application does: idle OpenMP threads sleep instead of spinning, set before libtorch
/// loads. The random-model test runs thousands of small forward passes, between which spinning workers fought the
/// compiler and each other for the cores. Not even the application's short spin: the tests run in parallel on every core.
/// </summary>
internal static class PassiveThreads
{
    [ModuleInitializer]
    internal static void Initialize() => NativeThreading.PreferPassiveWaiting(spinCount: 0);
}
