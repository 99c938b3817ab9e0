using System;
using System.Globalization;
using System.Linq;

namespace LayerDsl.Generator.Tests.Properties;

/// <summary>
/// What a random property test checks in one run, from its environment variables: the seed (a fresh one unless
/// <paramref name="Seed"/>'s variable replays a run), the number of draws, and the draw indices (all, or the one the
/// "only" variable names); <see cref="Replay"/> is the line that repeats the run.
/// </summary>
public sealed record PropertyRun(int Seed, int Count, int[] Indices, string Replay)
{
    public static PropertyRun FromEnvironment(string seedVariable, string countVariable, int defaultCount, string? onlyVariable = null)
    {
        int seed = Read(seedVariable) ?? Random.Shared.Next();
        int count = Read(countVariable) ?? defaultCount;
        int[] indices = onlyVariable is not null && Read(onlyVariable) is int only ? new[] { only } : Enumerable.Range(0, count).ToArray();
        return new PropertyRun(seed, count, indices, $"{seedVariable}={seed} {countVariable}={count}");
    }

    private static int? Read(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } text ? int.Parse(text, CultureInfo.InvariantCulture) : null;
}
