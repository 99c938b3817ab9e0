using System;
using System.Collections.Generic;
using System.IO;
using LayerDsl.Generator.Tests.Infrastructure;

namespace LayerDsl.Generator.Tests;

/// <summary>
/// The snapshot helper itself, on a snapshot in a folder of its own: a change fails and leaves the received text for
/// review; <c>LAYERDSL_ACCEPT_SNAPSHOTS=1</c> accepts it on a developer's machine and is refused where <c>CI</c> is set.
/// </summary>
public sealed class SnapshotHelperTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "layerdsl-snapshot-" + Guid.NewGuid().ToString("N"));

    public SnapshotHelperTests()
    {
        Directory.CreateDirectory(Path.Combine(root, "Snapshots"));
        File.WriteAllText(Verified, "class A { }\n");
    }

    private string TestFile => Path.Combine(root, "SomeTests.cs");

    private string Verified => Path.Combine(root, "Snapshots", "Model.verified.cs");

    private string Received => Path.Combine(root, "Snapshots", "Model.received.cs");

    private void Verify(string actual, params (string Name, string Value)[] variables)
    {
        var environment = new Dictionary<string, string>();
        foreach (var (name, value) in variables)
        {
            environment[name] = value;
        }

        Snapshot.Verify(actual, "Model", TestFile, name => environment.TryGetValue(name, out var value) ? value : null);
    }

    [Fact]
    public void The_same_text_passes_and_removes_an_old_received_file()
    {
        File.WriteAllText(Received, "stale");

        Verify("class A { }\r\n");

        Assert.False(File.Exists(Received));
    }

    [Fact]
    public void A_change_fails_naming_the_line_and_writes_the_received_text_beside_the_snapshot()
    {
        var e = Assert.ThrowsAny<Exception>(() => Verify("class B { }\n"));

        Assert.Contains("line 1:\n- class A { }\n+ class B { }", e.Message);
        Assert.Equal("class B { }\n", File.ReadAllText(Received));
        Assert.Equal("class A { }\n", File.ReadAllText(Verified));
    }

    [Fact]
    public void Accepting_on_a_developer_machine_rewrites_the_snapshot()
    {
        Verify("class B { }\n", (Snapshot.AcceptVariable, "1"));

        Assert.Equal("class B { }\n", File.ReadAllText(Verified));
        Assert.False(File.Exists(Received));
    }

    [Theory]
    [InlineData("true")]
    [InlineData("1")]
    public void Accepting_is_refused_where_CI_is_set_and_the_snapshot_is_left_alone(string ci)
    {
        var e = Assert.ThrowsAny<Exception>(() => Verify("class B { }\n", (Snapshot.AcceptVariable, "1"), ("CI", ci)));

        Assert.Contains("refused because CI is set", e.Message);
        Assert.Equal("class A { }\n", File.ReadAllText(Verified));
    }

    public void Dispose() => Directory.Delete(root, recursive: true);
}
