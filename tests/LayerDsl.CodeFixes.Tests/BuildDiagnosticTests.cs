using System.Threading.Tasks;
using LayerDsl.CodeFixes.Tests.Infrastructure;
using LayerDsl.Tests.Shared;
using Microsoft.CodeAnalysis.Testing;

namespace LayerDsl.CodeFixes.Tests;

/// <summary>
/// The language-server test's cases, as a build reports them: every LDSL diagnostic of each case (generator's and
/// analyzer's alike) is the one marked, at the marked span, once. When this passes and the language-server test does
/// not, the diagnostic exists but an editor does not show it.
/// </summary>
public class BuildDiagnosticTests
{
    [Theory]
    [MemberData(nameof(DiagnosticCases.Names), MemberType = typeof(DiagnosticCases))]
    public Task EachCaseReportsItsDiagnosticOnTheMarkedSpanOnce(string name) =>
        new LayerDslFixTest<EmptyCodeFixProvider>
        {
            TestCode = DiagnosticCases.Markup(name),
            // Some cases are also compiler errors (CS1729 beside LDSL0017, say); only LayerDsl's are marked.
            CompilerDiagnostics = CompilerDiagnostics.None,
        }.RunAsync();
}
