using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;

namespace LayerDsl.Lsp.Tests.Infrastructure;

/// <summary>An LSP position: zero-based line and UTF-16 character offset, as Roslyn's <c>LinePosition</c>.</summary>
public sealed record LspPosition(int Line, int Character)
{
    public override string ToString() => $"{Line + 1}:{Character + 1}";
}

/// <summary>An LSP range, end exclusive.</summary>
public sealed record LspRange(LspPosition Start, LspPosition End)
{
    public override string ToString() => $"({Start})-({End})";
}

/// <summary>One diagnostic of a <c>textDocument/publishDiagnostics</c> notification.</summary>
public sealed record LspDiagnostic(LspRange Range, int? Severity, JsonElement Code, string? Source, string Message)
{
    /// <summary>The diagnostic ID (<c>LDSL0013</c>, <c>CS1729</c>), whether the server sent it as a string or a number.</summary>
    public string Id => Code.ValueKind switch
    {
        JsonValueKind.String => Code.GetString() ?? string.Empty,
        JsonValueKind.Undefined or JsonValueKind.Null => string.Empty,
        _ => Code.GetRawText(),
    };

    public override string ToString() => $"{Id} at {Range}: {Message}";
}

/// <summary>The parameters of <c>textDocument/publishDiagnostics</c>.</summary>
public sealed record PublishDiagnosticsParams(Uri Uri, int? Version, IReadOnlyList<LspDiagnostic> Diagnostics);

/// <summary>One <c>textDocument/publishDiagnostics</c> the client received, with the time it arrived.</summary>
public sealed record Publication(DateTimeOffset ReceivedAt, IReadOnlyList<LspDiagnostic> Diagnostics)
{
    public override string ToString() =>
        Diagnostics.Count == 0 ? "(no diagnostics)" : string.Join("; ", Diagnostics.Select(d => d.ToString()));
}

/// <summary>One item of a <c>workspace/configuration</c> request.</summary>
public sealed record ConfigurationItem(string? Section, Uri? ScopeUri);

/// <summary>The parameters of <c>workspace/configuration</c>.</summary>
public sealed record ConfigurationParams(IReadOnlyList<ConfigurationItem> Items);

/// <summary>The parameters of <c>window/logMessage</c> and <c>window/showMessage</c>.</summary>
public sealed record LogMessageParams(int Type, string Message);
