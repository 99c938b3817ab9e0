using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using LayerDsl.Lsp.Tests.Infrastructure;
using LayerDsl.Tests.Shared;
using Xunit.Abstractions;

namespace LayerDsl.Lsp.Tests;

/// <summary>
/// What an editor shows, asked of a real language server (csharp-ls, analyzers on) on a project that uses the packed
/// LayerDsl package: every LDSL diagnostic on the code at fault, once; diagnostics that follow edits; the layer table
/// in the hover of a model.
/// </summary>
public sealed class LanguageServerTests : IClassFixture<LspSession>
{
    private const int ErrorSeverity = 1;

    /// <summary>
    /// LSP severities: 1 error, 3 information. Every LDSL diagnostic is an error but two pieces of advice: LDSL0020 is
    /// information, and the LDSL0019 warning is an error in the consumer project, which treats warnings as errors.
    /// </summary>
    private static int SeverityOf(string id) => id == "LDSL0020" ? 3 : ErrorSeverity;

    private const int EditRounds = 3;

    private static readonly TimeSpan EditTimeout = TimeSpan.FromSeconds(30);

    private readonly LspSession _session;
    private readonly ITestOutputHelper _output;

    public LanguageServerTests(LspSession session, ITestOutputHelper output)
    {
        _session = session;
        _output = output;
    }

    [Theory]
    [MemberData(nameof(DiagnosticCases.Names), MemberType = typeof(DiagnosticCases))]
    public async Task TheDiagnosticIsOnTheCodeAtFaultExactlyOnce(string name)
    {
        _session.EnsureStarted();
        var marked = MarkedSource.Parse(DiagnosticCases.Markup(name));
        var document = _session.Document(DiagnosticCases.FileName(name));
        var expected = Describe(marked.Expected.Select(e => (e.Id, e.Range, (int?)SeverityOf(e.Id))));

        var matched = await _session.Server.WaitForAsync(document, p => Describe(LdslDiagnostics(p)) == expected, _session.WaitDeadline);

        Assert.True(
            matched is not null,
            $"{DiagnosticCases.FileName(name)}: expected exactly {string.Join(", ", marked.Expected)} (errors but for the LDSL0020 information), and no other LDSL diagnostic.\n" +
            $"Published for it: {PublicationsOf(document)}\n{Numbered(marked.Text)}\nEverything published:\n{_session.PublishedSummary()}\n" +
            _session.Timeline + (_session.Server.Publications(document).Count == 0 ? _session.Server.Log(15) : string.Empty));
    }

    [Fact]
    public async Task TheValidModelHasNoLayerDslDiagnostics()
    {
        _session.EnsureStarted();
        var document = _session.Document(LspSession.ValidModelFile);

        var published = await _session.Server.WaitForAsync(document, p => true, _session.WaitDeadline);

        Assert.True(published is not null, $"nothing was published for {LspSession.ValidModelFile}.\n{_session.PublishedSummary()}{_session.Timeline}");
        Assert.Empty(LdslDiagnostics(published!));
        Assert.DoesNotContain(published!.Diagnostics, d => d.Severity == ErrorSeverity);
    }

    [Fact]
    public async Task AnEditThatFixesTheModelRemovesItsDiagnosticAndOneThatBreaksItAddsOne()
    {
        _session.EnsureStarted();
        var server = _session.Server;
        var document = _session.Document(LspSession.EditedFile);
        var broken = MarkedSource.Parse(LspSession.EditedMarkup("[Dense(10, {|LDSL0013:InFeatures = 784|})]"));
        var opened = await server.WaitForAsync(document, p => Matches(p, broken), _session.WaitDeadline);
        Assert.True(opened is not null, $"{LspSession.EditedFile} as opened: expected {string.Join(", ", broken.Expected)}; published: {PublicationsOf(document)}");

        // Fix (remove the pin), then break it differently (a pin of 100 + i), a few times over for the latencies.
        var fixes = new List<TimeSpan>();
        var breaks = new List<TimeSpan>();
        var version = 1;
        for (var i = 0; i < EditRounds; i++)
        {
            var (fixedAfter, fixLatency) = await ChangeAndWaitAsync(document, ++version, MarkedSource.Parse(LspSession.EditedMarkup("[Dense(10)]")));
            Assert.Empty(LdslDiagnostics(fixedAfter));
            var pin = (100 + i).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var (brokenAfter, breakLatency) = await ChangeAndWaitAsync(
                document, ++version, MarkedSource.Parse(LspSession.EditedMarkup($"[Dense(10, {{|LDSL0013:InFeatures = {pin}|}})]")));
            Assert.Contains("InFeatures = " + pin, Assert.Single(LdslDiagnostics(brokenAfter)).Message);
            fixes.Add(fixLatency);
            breaks.Add(breakLatency);
        }

        _output.WriteLine(
            $"didChange to publishDiagnostics over {EditRounds} rounds: fix (LDSL0013 gone) median {Median(fixes):0.00} s " +
            $"[{string.Join(", ", fixes.Select(t => t.TotalSeconds.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)))}], " +
            $"break (LDSL0013 back) median {Median(breaks):0.00} s " +
            $"[{string.Join(", ", breaks.Select(t => t.TotalSeconds.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)))}]");
        _output.WriteLine(_session.Timeline);
    }

    [Fact]
    public async Task TheHoverOfAModelShowsItsLayerTableInAFencedCodeBlock()
    {
        _session.EnsureStarted();
        var text = _session.ValidModelText;
        const string name = "MaskedConvNet";
        var offset = text.IndexOf("class " + name, StringComparison.Ordinal) + "class ".Length;
        Assert.True(offset >= "class ".Length, $"no 'class {name}' in {LspSession.ValidModelFile}");

        var hover = await _session.Server.HoverAsync(_session.Document(LspSession.ValidModelFile), MarkedSource.PositionOf(text, offset), TimeSpan.FromSeconds(30));

        Assert.True(hover is not null, "csharp-ls returned no hover for the class name");
        var contents = hover!.Value.GetProperty("contents");
        Assert.True(
            contents.ValueKind == JsonValueKind.Object && contents.GetProperty("kind").GetString() == "markdown",
            "expected MarkupContent of kind markdown, got " + contents.GetRawText());
        var markdown = contents.GetProperty("value").GetString()!;
        _output.WriteLine(markdown);

        var problem = HoverMarkdown.FindProblem(markdown, name);
        Assert.True(problem is null, $"{problem}. The hover's markdown:\n{markdown}");
    }

    private async Task<(Publication Publication, TimeSpan Latency)> ChangeAndWaitAsync(Uri document, int version, MarkedSource text)
    {
        var sent = DateTimeOffset.UtcNow;
        await _session.Server.ChangeAsync(document, version, text.Text);
        var published = await _session.Server.WaitForAsync(document, p => p.ReceivedAt >= sent && Matches(p, text), DateTimeOffset.UtcNow + EditTimeout);
        Assert.True(
            published is not null,
            $"after didChange (version {version}) {LspSession.EditedFile} did not show {(text.Expected.IsEmpty ? "no LDSL diagnostic" : string.Join(", ", text.Expected))} " +
            $"within {EditTimeout.TotalSeconds:0} s. Published: {PublicationsOf(document)}\n{Numbered(text.Text)}");
        return (published!, published!.ReceivedAt - sent);
    }

    private static double Median(List<TimeSpan> values) => values.Select(v => v.TotalSeconds).Order().ElementAt(values.Count / 2);

    private static bool Matches(Publication publication, MarkedSource text) =>
        Describe(LdslDiagnostics(publication)) == Describe(text.Expected.Select(e => (e.Id, e.Range, (int?)SeverityOf(e.Id))));

    private static IReadOnlyList<LspDiagnostic> LdslDiagnostics(Publication publication) =>
        publication.Diagnostics.Where(d => d.Id.StartsWith("LDSL", StringComparison.Ordinal)).ToList();

    private static string Describe(IEnumerable<LspDiagnostic> diagnostics) => Describe(diagnostics.Select(d => (d.Id, d.Range, d.Severity)));

    private static string Describe(IEnumerable<(string Id, LspRange Range, int? Severity)> diagnostics) =>
        string.Join("; ", diagnostics.Select(d => $"{d.Id} {d.Range} severity {d.Severity}").Order(StringComparer.Ordinal));

    private string PublicationsOf(Uri document)
    {
        var publications = _session.Server.Publications(document);
        return publications.Count == 0
            ? "nothing"
            : $"{publications.Count} publication(s), the last: {publications[^1]}";
    }

    private static string Numbered(string text) =>
        string.Join("\n", text.Split('\n').Select((line, i) => $"{i + 1,4}| {line}"));
}
