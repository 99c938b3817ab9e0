using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using LayerDsl.Tests.Shared;

namespace LayerDsl.Lsp.Tests.Infrastructure;

/// <summary>
/// One consumer project and one csharp-ls for the whole test class, as an editor has them: every case file, the valid
/// model and the file the edit test changes are written to disk, opened, and left to settle.
/// </summary>
public sealed class LspSession : IAsyncLifetime
{
    /// <summary>Limit for each <c>dotnet pack</c> and <c>dotnet restore</c>.</summary>
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(90);

    /// <summary>Limit for the server to answer <c>initialize</c>.</summary>
    public static readonly TimeSpan InitializeTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Limit, from the <c>didOpen</c>s, for every opened file's first diagnostics (the solution load included).</summary>
    public static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(90);

    /// <summary>No publication for this long, once every file has one, counts as settled.</summary>
    public static readonly TimeSpan Quiet = TimeSpan.FromSeconds(3);

    /// <summary>After settling, how much longer a case may wait for its diagnostics before it fails.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(10);

    /// <summary>The setting that makes csharp-ls run analyzers (it reads the <c>csharp</c> section through <c>workspace/configuration</c>).</summary>
    public static readonly JsonObject CSharpSettings = new() { ["analyzersEnabled"] = true };

    public const string ValidModelFile = "MaskedConvNet.cs";

    public const string EditedFile = "Edited.cs";

    private readonly Dictionary<string, Uri> _documents = new(StringComparer.Ordinal);
    private readonly StringBuilder _timeline = new();
    private readonly Stopwatch _clock = new();
    private ConsumerProject? _project;
    private LanguageServer? _server;
    private Exception? _startFailure;

    public LanguageServer Server => _server ?? throw new InvalidOperationException(StartFailureMessage);

    public ConsumerProject Project => _project ?? throw new InvalidOperationException(StartFailureMessage);

    /// <summary>
    /// Until when a test may wait for the diagnostics it expects: <see cref="Grace"/> after the session settled (or gave
    /// up settling), the same for every test, so that failing cases do not add up their waits.
    /// </summary>
    public DateTimeOffset WaitDeadline { get; private set; }

    /// <summary>What happened when, in seconds from the start of the session, for the test output.</summary>
    public string Timeline => _timeline.ToString();

    /// <summary>The text of the valid model, as it stands in the repository's Models project.</summary>
    public string ValidModelText { get; } = File.ReadAllText(Path.Combine(ConsumerProject.RepositoryRoot, "Models", "MaskedConvNet.cs"));

    /// <summary>The text Edited.cs is opened with: the origin's broken model.</summary>
    public static string EditedMarkup(string dense) =>
        "using LayerDsl;\n\nnamespace Edits;\n\n[Input(28, 28, 1)]\n[MaskedConv(5, 32)]\n" + dense + "\npublic partial class Origin\n{\n}\n";

    public Uri Document(string fileName) => _documents.TryGetValue(fileName, out var uri)
        ? uri
        : throw new InvalidOperationException(StartFailureMessage);

    public async Task InitializeAsync()
    {
        _clock.Start();
        try
        {
            _project = await ConsumerProject.CreateAsync(CommandTimeout);
            Mark($"packed LayerDsl {_project.Version} and restored the consumer project in {_project.Directory}");

            var files = DiagnosticCases.All.Keys.ToDictionary(DiagnosticCases.FileName, name => MarkedSource.Parse(DiagnosticCases.Markup(name)).Text);
            files[ValidModelFile] = ValidModelText;
            files[EditedFile] = MarkedSource.Parse(EditedMarkup("[Dense(10, {|LDSL0013:InFeatures = 784|})]")).Text;
            foreach (var (name, text) in files)
            {
                _documents[name] = _project.Write(name, text);
            }

            _server = await LanguageServer.StartAsync(ConsumerProject.RepositoryRoot, _project.Directory, CSharpSettings, InitializeTimeout);
            Mark("csharp-ls initialized");
            foreach (var (name, text) in files)
            {
                await _server.OpenAsync(_documents[name], text);
            }

            Mark($"opened {files.Count} files");
            var deadline = DateTimeOffset.UtcNow + SettleTimeout;
            if (await _server.WaitUntilSettledAsync(_documents.Values.ToList(), Quiet, deadline))
            {
                Mark($"every file had diagnostics, then {Quiet.TotalSeconds:0} s without a publication");
            }
            else
            {
                Mark($"not settled within {SettleTimeout.TotalSeconds:0} s; published for {_server.PublishedDocuments.Count} of {files.Count} files");
            }

            WaitDeadline = DateTimeOffset.UtcNow + Grace;
        }
        catch (Exception exception)
        {
            _startFailure = exception;
        }
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _project?.Dispose();
    }

    /// <summary>Fails the calling test with the reason the session could not start, if it could not.</summary>
    public void EnsureStarted()
    {
        if (_startFailure is not null || _server is null)
        {
            throw new InvalidOperationException(StartFailureMessage, _startFailure);
        }
    }

    public void Mark(string what) => _timeline.AppendLine($"{_clock.Elapsed.TotalSeconds,6:0.0} s  {what}");

    /// <summary>Everything the server published, per file, newest last: for failure messages.</summary>
    public string PublishedSummary()
    {
        if (_server is null)
        {
            return "(no server)";
        }

        var text = new StringBuilder();
        foreach (var (name, uri) in _documents.OrderBy(d => d.Key, StringComparer.Ordinal))
        {
            var publications = _server.Publications(uri);
            var last = publications.LastOrDefault();
            text.AppendLine($"  {name}: {publications.Count} publication(s); last: {(last is null ? "none" : last.ToString())}");
        }

        return text.ToString();
    }

    private string StartFailureMessage => "The language-server session did not start: " + (_startFailure?.Message ?? "not initialized") + "\n" + Timeline;
}
