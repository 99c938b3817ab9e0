using System;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text;

namespace LayerDsl.Generator.Tests.Infrastructure;

/// <summary>
/// Verify-style snapshots: <c>Name.verified.cs</c> is committed beside the test; on a mismatch <c>Name.received.cs</c>
/// is written next to it and the test fails with a line diff. Set <c>LAYERDSL_ACCEPT_SNAPSHOTS=1</c> to accept the
/// received text (it overwrites the verified file), then review the change in version control.
/// </summary>
public static class Snapshot
{
    public const string AcceptVariable = "LAYERDSL_ACCEPT_SNAPSHOTS";

    public static void Verify(string actual, string name, [CallerFilePath] string testFile = "")
    {
        var directory = Path.Combine(Path.GetDirectoryName(testFile)!, "Snapshots");
        Directory.CreateDirectory(directory);
        var verified = Path.Combine(directory, name + ".verified.cs");
        var received = Path.Combine(directory, name + ".received.cs");
        actual = Normalize(actual);

        var expected = File.Exists(verified) ? Normalize(File.ReadAllText(verified)) : null;
        if (expected == actual)
        {
            File.Delete(received);
            return;
        }

        if (Environment.GetEnvironmentVariable(AcceptVariable) == "1")
        {
            File.WriteAllText(verified, actual);
            File.Delete(received);
            return;
        }

        File.WriteAllText(received, actual);
        var message = expected is null
            ? $"No snapshot {verified} yet. Review {received}, then rename it to .verified.cs (or run with {AcceptVariable}=1)."
            : $"Snapshot {name} differs (received text written to {received}; run with {AcceptVariable}=1 to accept):\n{Diff(expected, actual)}";
        throw new Xunit.Sdk.XunitException(message);
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n").TrimStart('\uFEFF');

    /// <summary>The differing lines with their line numbers: enough to see what changed without a diff tool.</summary>
    private static string Diff(string expected, string actual)
    {
        var a = expected.Split('\n');
        var b = actual.Split('\n');
        var text = new StringBuilder();
        var shown = 0;
        for (var i = 0; i < Math.Max(a.Length, b.Length) && shown < 20; i++)
        {
            var left = i < a.Length ? a[i] : null;
            var right = i < b.Length ? b[i] : null;
            if (left == right)
            {
                continue;
            }

            text.Append($"line {i + 1}:\n");
            if (left is not null)
            {
                text.Append("- ").Append(left).Append('\n');
            }

            if (right is not null)
            {
                text.Append("+ ").Append(right).Append('\n');
            }

            shown++;
        }

        if (a.Length != b.Length)
        {
            text.Append($"({a.Length} lines expected, {b.Length} received)\n");
        }

        return text.ToString();
    }
}
