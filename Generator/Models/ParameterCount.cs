namespace LayerDsl.Generator.Models;

/// <summary>Parameter counts, where a user layer without a <c>params</c> clause makes a count unknown at compile time (-1).</summary>
internal static class ParameterCount
{
    public const long Unknown = -1;

    /// <summary>The sum, unknown when either is; throws <see cref="System.OverflowException"/> past 64 bits.</summary>
    public static long Add(long a, long b) => a < 0 || b < 0 ? Unknown : checked(a + b);
}
