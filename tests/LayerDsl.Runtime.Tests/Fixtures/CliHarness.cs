using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using LayerDsl.Data;
using LayerDsl.Models.Cli;
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

    internal FashionMnistLocator Locator => new(_ => null, root.Sub("system"), CacheDirectory);

    internal static ModelCatalog Catalog => new(new[] { typeof(SmallCnn), typeof(WideCnn), typeof(TinyConvNet), typeof(string) });

    public int Run(params string[] args) =>
        CliApp.Build(Console, Catalog, Locator, () => new FashionMnistDownloader(new HttpClient(new Offline()), new[] { new Uri("http://mirror.test/") }))
            .Parse(args)
            .Invoke(new System.CommandLine.InvocationConfiguration { Output = writer, Error = writer });

    public void Dispose() => root.Dispose();

    private sealed class Offline : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            throw new HttpRequestException("network unreachable (test)");
    }
}
