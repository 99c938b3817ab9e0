using System;
using System.Collections.Generic;
using System.IO;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using LayerDsl.Experiments.Cli;
using LayerDsl.Experiments.Data;
using LayerDsl.Training;
using Spectre.Console;

namespace LayerDsl.Runtime.Tests.Fixtures;

/// <summary>Runs the command line in-process on fixture models and a fake dataset, capturing what it prints; nothing touches the network.</summary>
public sealed class CliHarness : IDisposable
{
    private readonly TempDir root = new();
    private readonly StringWriter writer = new();

    public CliHarness(bool withData = true, int train = 192, int test = 64)
    {
        if (withData)
        {
            IdxFiles.WriteDataset(DataDirectory, train, test);
        }

        Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        Console.Profile.Width = 220;
    }

    public string DataDirectory => root.Sub("data");

    public string OutDirectory => root.Sub("out");

    public string CacheDirectory => root.Sub("cache");

    public IAnsiConsole Console { get; }

    public string Output => writer.ToString();

    /// <summary>The models the harness's command line knows, unless a test gives its own.</summary>
    public IReadOnlyList<Type> Models { get; init; } = new[] { typeof(SmallCnn), typeof(WideCnn), typeof(TinyConvNet), typeof(string) };

    /// <summary>Called with every training progress report, and the cancellation source a test may trigger.</summary>
    public Action<string, TrainingProgress, CancellationTokenSource>? OnProgress { get; init; }

    internal FashionMnistLocator Locator => new(_ => null, root.Sub("system"), CacheDirectory);

    internal ModelCatalog Catalog => new(Models);

    /// <summary>The program prefix of the commands the command line prints.</summary>
    public const string Program = "layerdsl-test";

    public int Run(params string[] args)
    {
        using var interrupt = new CancellationTokenSource();
        var app = new CliApp(Console, Catalog)
        {
            Locator = Locator,
            Downloader = () => new FashionMnistDownloader(new HttpClient(new Offline()), new[] { new Uri("http://mirror.test/") }),
            Echo = new CommandEcho(new[] { Program }),
            Observer = OnProgress is null ? null : (label, p) => OnProgress(label, p, interrupt),
        };
        return app.Run(args, interrupt.Token, writer);
    }

    public void Dispose() => root.Dispose();

    private sealed class Offline : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            throw new HttpRequestException("network unreachable (test)");
    }
}
