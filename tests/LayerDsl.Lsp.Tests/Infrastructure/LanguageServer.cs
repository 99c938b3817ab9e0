using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using StreamJsonRpc;

namespace LayerDsl.Lsp.Tests.Infrastructure;

/// <summary>
/// csharp-ls, the Roslyn-based language server, run as an editor runs it: a child process speaking JSON-RPC with
/// LSP's <c>Content-Length</c> framing over stdin and stdout (StreamJsonRpc's <see cref="HeaderDelimitedMessageHandler"/>).
/// It answers the server's own requests (<c>workspace/configuration</c> with the given <c>csharp</c> settings, capability
/// registration, progress) and records every <c>textDocument/publishDiagnostics</c> with the time it arrived.
/// </summary>
public sealed class LanguageServer : IAsyncDisposable
{
    /// <summary>The tool as <c>.config/dotnet-tools.json</c> pins it.</summary>
    public const string ToolName = "csharp-ls";

    private static readonly JsonSerializerOptions SerializerOptions = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly Process _process;
    private readonly JsonRpc _rpc;
    private readonly ClientTarget _target;
    private readonly ConcurrentQueue<string> _stderr = new();

    private LanguageServer(Process process, JsonRpc rpc, ClientTarget target)
    {
        _process = process;
        _rpc = rpc;
        _target = target;
    }

    /// <summary>True once the server asked for the <c>csharp</c> settings (and so received them).</summary>
    public bool SettingsRequested => _target.SettingsRequested;

    /// <summary>
    /// Starts <c>dotnet tool run csharp-ls</c> in <paramref name="repositoryRoot"/> (where the tool manifest is), and
    /// initializes it on <paramref name="workspace"/>. Fails with how to install the tool when it is missing.
    /// </summary>
    public static async Task<LanguageServer> StartAsync(string repositoryRoot, string workspace, JsonObject csharpSettings, TimeSpan timeout)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = repositoryRoot,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "tool", "run", ToolName })
        {
            start.ArgumentList.Add(argument);
        }

        ChildProcesses.Prepare(start);
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet tool run " + ToolName);
        var target = new ClientTarget(csharpSettings);
        var formatter = new SystemTextJsonFormatter { JsonSerializerOptions = SerializerOptions };
        var handler = new HeaderDelimitedMessageHandler(process.StandardInput.BaseStream, process.StandardOutput.BaseStream, formatter);
        var rpc = new JsonRpc(handler);
        rpc.AddLocalRpcTarget(target, new JsonRpcTargetOptions { AllowNonPublicInvocation = false });
        var server = new LanguageServer(process, rpc, target);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                server._stderr.Enqueue(e.Data);
            }
        };
        process.BeginErrorReadLine();
        rpc.StartListening();

        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await rpc.InvokeWithParameterObjectAsync<JsonElement>("initialize", InitializeParams(workspace), cancellation.Token);
        }
        catch (Exception exception) when (exception is ConnectionLostException or OperationCanceledException or RemoteInvocationException)
        {
            var exited = process.WaitForExit(2000);
            var output = server.StderrTail();
            var exitCode = exited ? process.ExitCode : (int?)null;
            await server.DisposeAsync();
            if (exitCode is not null)
            {
                // `dotnet tool run` exits at once when the tool is not in the manifest or not restored.
                throw new InvalidOperationException(
                    $"{ToolName} could not be started (`dotnet tool run {ToolName}` exited with code {exitCode}). Install it with " +
                    $"`dotnet tool restore` in {repositoryRoot}, where .config/dotnet-tools.json pins {ToolName} 0.28.0. It said:\n{output}",
                    exception);
            }

            throw new InvalidOperationException(
                $"{ToolName} did not answer 'initialize' within {timeout.TotalSeconds:0} s ({exception.GetType().Name}: {exception.Message}). stderr:\n{output}",
                exception);
        }

        await rpc.NotifyWithParameterObjectAsync("initialized", new { });
        return server;
    }

    /// <summary>Every publication for <paramref name="document"/>, oldest first.</summary>
    public IReadOnlyList<Publication> Publications(Uri document) => _target.Publications(document);

    /// <summary>The documents the server published diagnostics for, so far.</summary>
    public IReadOnlyCollection<Uri> PublishedDocuments => _target.PublishedDocuments;

    /// <summary>When the last publication (of any document) arrived.</summary>
    public DateTimeOffset? LastPublication => _target.LastPublication;

    public Task OpenAsync(Uri document, string text) =>
        _rpc.NotifyWithParameterObjectAsync("textDocument/didOpen", new
        {
            textDocument = new { uri = document.AbsoluteUri, languageId = "csharp", version = 1, text },
        });

    /// <summary>Replaces the whole text of an open document (a change event without a range).</summary>
    public Task ChangeAsync(Uri document, int version, string text) =>
        _rpc.NotifyWithParameterObjectAsync("textDocument/didChange", new
        {
            textDocument = new { uri = document.AbsoluteUri, version },
            contentChanges = new[] { new { text } },
        });

    /// <summary>The hover at <paramref name="position"/>: the raw <c>Hover</c> result, or null.</summary>
    public async Task<JsonElement?> HoverAsync(Uri document, LspPosition position, TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        var result = await _rpc.InvokeWithParameterObjectAsync<JsonElement>(
            "textDocument/hover",
            new { textDocument = new { uri = document.AbsoluteUri }, position = new { line = position.Line, character = position.Character } },
            cancellation.Token);
        return result.ValueKind == JsonValueKind.Null ? null : result;
    }

    /// <summary>
    /// Waits until the newest publication for <paramref name="document"/> satisfies <paramref name="condition"/>, or until
    /// <paramref name="deadline"/>; returns that publication, or null on time-out.
    /// </summary>
    public async Task<Publication?> WaitForAsync(Uri document, Func<Publication, bool> condition, DateTimeOffset deadline)
    {
        while (true)
        {
            var signal = _target.NextPublication;
            var latest = Publications(document).LastOrDefault();
            if (latest is not null && condition(latest))
            {
                return latest;
            }

            var remaining = deadline - DateTimeOffset.UtcNow;
            if (remaining <= TimeSpan.Zero || _process.HasExited)
            {
                return null;
            }

            await Task.WhenAny(signal, Task.Delay(remaining));
        }
    }

    /// <summary>
    /// Waits until every document in <paramref name="documents"/> has at least one publication and no publication has
    /// arrived for <paramref name="quiet"/>, or until <paramref name="deadline"/>. Returns true when that happened in time.
    /// </summary>
    public async Task<bool> WaitUntilSettledAsync(IReadOnlyCollection<Uri> documents, TimeSpan quiet, DateTimeOffset deadline)
    {
        while (true)
        {
            var signal = _target.NextPublication;
            var now = DateTimeOffset.UtcNow;
            var all = documents.All(d => Publications(d).Count > 0);
            if (all && LastPublication is { } last && now - last >= quiet)
            {
                return true;
            }

            if (now >= deadline || _process.HasExited)
            {
                return false;
            }

            var wait = all && LastPublication is { } at ? quiet - (now - at) : deadline - now;
            await Task.WhenAny(signal, Task.Delay(wait < TimeSpan.Zero ? TimeSpan.Zero : wait));
        }
    }

    /// <summary>What the server said through <c>window/logMessage</c> and on stderr (the last <paramref name="lines"/> of each), for failure messages.</summary>
    public string Log(int lines = 40)
    {
        var text = new StringBuilder();
        text.AppendLine($"{ToolName} {(_process.HasExited ? $"exited with code {_process.ExitCode}" : "is running")}; " +
            $"it {(SettingsRequested ? "requested" : "never requested")} the csharp settings (workspace/configuration).");
        var messages = _target.Messages.ToArray();
        text.AppendLine($"window/logMessage and showMessage ({messages.Length}, last {Math.Min(lines, messages.Length)}):");
        foreach (var message in messages.Skip(Math.Max(0, messages.Length - lines)))
        {
            text.AppendLine("  " + message);
        }

        text.AppendLine("stderr (last lines):");
        text.Append(StderrTail(lines));
        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                using var cancellation = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _rpc.InvokeWithCancellationAsync<JsonElement>("shutdown", null, cancellation.Token);
                await _rpc.NotifyAsync("exit");
                using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _process.WaitForExitAsync(exit.Token);
            }
        }
        catch (Exception exception) when (exception is ConnectionLostException or OperationCanceledException or RemoteInvocationException
            or ObjectDisposedException or IOException or InvalidOperationException)
        {
            // A server that does not shut down in time is ended below.
        }
        finally
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }

            _rpc.Dispose();
            _process.Dispose();
        }
    }

    private string StderrTail(int lines = 40)
    {
        var all = _stderr.ToArray();
        return string.Join("\n", all.Skip(Math.Max(0, all.Length - lines)));
    }

    private static object InitializeParams(string workspace)
    {
        var root = new Uri(Path.TrimEndingDirectorySeparator(workspace) + Path.DirectorySeparatorChar).AbsoluteUri;
        return new
        {
            processId = Environment.ProcessId,
            clientInfo = new { name = "LayerDsl.Lsp.Tests" },
            rootUri = root,
            workspaceFolders = new[] { new { uri = root, name = "consumer" } },
            capabilities = new
            {
                workspace = new { configuration = true, didChangeConfiguration = new { dynamicRegistration = false } },
                textDocument = new
                {
                    synchronization = new { dynamicRegistration = false, didSave = false },
                    publishDiagnostics = new { relatedInformation = false },
                    hover = new { dynamicRegistration = false, contentFormat = new[] { "markdown", "plaintext" } },
                },
                window = new { workDoneProgress = false },
            },
            trace = "off",
        };
    }

    /// <summary>The client's side of the protocol: what the server may ask or tell.</summary>
    private sealed class ClientTarget
    {
        private readonly JsonObject _settings;
        private readonly object _gate = new();
        private readonly Dictionary<string, List<Publication>> _publications = new(StringComparer.Ordinal);
        private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ClientTarget(JsonObject settings) => _settings = settings;

        public bool SettingsRequested { get; private set; }

        public ConcurrentQueue<string> Messages { get; } = new();

        public DateTimeOffset? LastPublication { get; private set; }

        public Task NextPublication
        {
            get
            {
                lock (_gate)
                {
                    return _next.Task;
                }
            }
        }

        public IReadOnlyCollection<Uri> PublishedDocuments
        {
            get
            {
                lock (_gate)
                {
                    return _publications.Keys.Select(k => new Uri(k)).ToList();
                }
            }
        }

        public IReadOnlyList<Publication> Publications(Uri document)
        {
            lock (_gate)
            {
                return _publications.TryGetValue(Key(document), out var list) ? list.ToList() : Array.Empty<Publication>();
            }
        }

        [JsonRpcMethod("textDocument/publishDiagnostics", UseSingleObjectParameterDeserialization = true)]
        public void PublishDiagnostics(PublishDiagnosticsParams parameters)
        {
            TaskCompletionSource signal;
            lock (_gate)
            {
                var key = Key(parameters.Uri);
                if (!_publications.TryGetValue(key, out var list))
                {
                    _publications[key] = list = new List<Publication>();
                }

                var now = DateTimeOffset.UtcNow;
                list.Add(new Publication(now, parameters.Diagnostics));
                LastPublication = now;
                signal = _next;
                _next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            signal.TrySetResult();
        }

        [JsonRpcMethod("workspace/configuration", UseSingleObjectParameterDeserialization = true)]
        public JsonNode?[] Configuration(ConfigurationParams parameters)
        {
            var answer = parameters.Items.Select(item => item.Section == "csharp" ? _settings.DeepClone() : null).ToArray();
            SettingsRequested |= parameters.Items.Any(item => item.Section == "csharp");
            return answer;
        }

        [JsonRpcMethod("window/logMessage", UseSingleObjectParameterDeserialization = true)]
        public void LogMessage(LogMessageParams parameters) => Messages.Enqueue(parameters.Message);

        [JsonRpcMethod("window/showMessage", UseSingleObjectParameterDeserialization = true)]
        public void ShowMessage(LogMessageParams parameters) => Messages.Enqueue(parameters.Message);

        [JsonRpcMethod("client/registerCapability", UseSingleObjectParameterDeserialization = true)]
        public JsonElement? RegisterCapability(JsonElement parameters) => null;

        [JsonRpcMethod("client/unregisterCapability", UseSingleObjectParameterDeserialization = true)]
        public JsonElement? UnregisterCapability(JsonElement parameters) => null;

        [JsonRpcMethod("window/workDoneProgress/create", UseSingleObjectParameterDeserialization = true)]
        public JsonElement? CreateProgress(JsonElement parameters) => null;

        [JsonRpcMethod("workspace/diagnostic/refresh")]
        public JsonElement? RefreshDiagnostics() => null;

        [JsonRpcMethod("workspace/semanticTokens/refresh")]
        public JsonElement? RefreshSemanticTokens() => null;

        [JsonRpcMethod("workspace/inlayHint/refresh")]
        public JsonElement? RefreshInlayHints() => null;

        [JsonRpcMethod("workspace/codeLens/refresh")]
        public JsonElement? RefreshCodeLenses() => null;

        [JsonRpcMethod("$/progress", UseSingleObjectParameterDeserialization = true)]
        public void Progress(JsonElement parameters)
        {
        }

        [JsonRpcMethod("$/logTrace", UseSingleObjectParameterDeserialization = true)]
        public void LogTrace(LogTraceParams parameters) => Messages.Enqueue(parameters.Message);

        [JsonRpcMethod("telemetry/event", UseSingleObjectParameterDeserialization = true)]
        public void Telemetry(JsonElement parameters)
        {
        }

        /// <summary>Documents are told apart by local path: the server may spell a URI differently from the client.</summary>
        private static string Key(Uri document) => document.IsFile ? Path.GetFullPath(document.LocalPath) : document.AbsoluteUri;
    }

    /// <summary>The parameters of <c>$/logTrace</c>.</summary>
    private sealed record LogTraceParams(string Message);
}
