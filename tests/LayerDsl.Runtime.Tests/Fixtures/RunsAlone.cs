namespace LayerDsl.Runtime.Tests.Fixtures;

/// <summary>
/// Tests that must not share the process with other running tests: they count the process's live tensors, or compare
/// two trainings for exact equality (another test's <c>compare</c> changes the process's intra-op thread count, and with
/// it how the masked convolution slices a batch and so how its float sums round). xunit runs them after the parallel
/// tests, one at a time. Also tests that count the whole process's page faults.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    public const string Name = "Runs alone";
}
