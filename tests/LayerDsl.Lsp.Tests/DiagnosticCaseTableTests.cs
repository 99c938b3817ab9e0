using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using LayerDsl.Lsp.Tests.Infrastructure;
using LayerDsl.Tests.Shared;

namespace LayerDsl.Lsp.Tests;

/// <summary>The case table against the README's list of IDs: every ID a user can trigger has a model.</summary>
public sealed class DiagnosticCaseTableTests
{
    [Fact]
    public void EveryIdAUserCanTriggerHasACase()
    {
        var readme = File.ReadAllText(Path.Combine(ConsumerProject.RepositoryRoot, "README.md"));
        var documented = Regex.Matches(readme, "<a id=\"ldsl(\\d{4})\"></a>").Select(m => "LDSL" + m.Groups[1].Value).Distinct().ToList();
        var covered = DiagnosticCases.All.Keys.SelectMany(name => MarkedSource.Parse(DiagnosticCases.Markup(name)).Expected.Select(e => e.Id)).ToHashSet();

        Assert.Contains("LDSL0013", documented);
        Assert.DoesNotContain(documented, id => !covered.Contains(id) && !DiagnosticCases.Untriggerable.ContainsKey(id));
        Assert.DoesNotContain(covered, id => !documented.Contains(id));
        Assert.DoesNotContain(DiagnosticCases.Untriggerable.Keys, covered.Contains);
    }

    [Fact]
    public void EachCaseMarksTheDiagnosticItIsNamedForAndParsesToPlainCSharp()
    {
        foreach (var name in DiagnosticCases.All.Keys)
        {
            var marked = MarkedSource.Parse(DiagnosticCases.Markup(name));

            // One diagnostic, except where the ID itself comes with another (a block with errors: its own error where
            // it is declared, LDSL0023 where a model places it).
            Assert.Contains(marked.Expected, e => name.StartsWith(e.Id.Replace("LDSL", "Ldsl", StringComparison.Ordinal), StringComparison.Ordinal));
            Assert.True(marked.Expected.Length == 1 || name.StartsWith("Ldsl0023", StringComparison.Ordinal), $"{name} marks {marked.Expected.Length} diagnostics");
            Assert.DoesNotContain("{|", marked.Text);
            Assert.DoesNotContain("|}", marked.Text);
        }
    }
}
