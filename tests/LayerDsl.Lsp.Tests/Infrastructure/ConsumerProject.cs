using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Threading.Tasks;
using System.Xml.Linq;

namespace LayerDsl.Lsp.Tests.Infrastructure;

/// <summary>
/// What a user of the package has: a new project in a temporary folder that references the <c>LayerDsl</c> package from
/// a local folder feed (packed from this repository's build output, as tests/package/run.sh packs it) and
/// <c>TorchSharp-cpu</c>, restored and ready for a language server to load.
/// </summary>
public sealed class ConsumerProject : IDisposable
{
    private readonly string _packageCache;

    private ConsumerProject(string root, string version, string packageCache)
    {
        Root = root;
        Version = version;
        _packageCache = packageCache;
    }

    /// <summary>The temporary folder: <c>feed/</c> with the package, <c>consumer/</c> with the project.</summary>
    public string Root { get; }

    /// <summary>The project's folder, the language server's workspace.</summary>
    public string Directory => Path.Combine(Root, "consumer");

    /// <summary>The package version, unique to this run so that no earlier run's copy in the NuGet cache is used.</summary>
    public string Version { get; }

    /// <summary>The repository this test belongs to (where the tool manifest and the projects are).</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The build configuration this test assembly was built in; the package is packed from the same build.</summary>
    public static string Configuration { get; } = typeof(ConsumerProject).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "Configuration").Value!;

    /// <summary>Packs the package without building (the test project's build built it), creates the project and restores it.</summary>
    public static async Task<ConsumerProject> CreateAsync(TimeSpan commandTimeout)
    {
        var root = Path.Combine(Path.GetTempPath(), "layerdsl-lsp-" + Guid.NewGuid().ToString("N")[..12]);
        var version = string.Create(CultureInfo.InvariantCulture, $"0.1.0-lsp.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}");
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var project = new ConsumerProject(root, version, cache);
        try
        {
            var feed = Path.Combine(root, "feed");
            System.IO.Directory.CreateDirectory(project.Directory);
            await ChildProcesses.RunDotnetAsync(
                RepositoryRoot,
                commandTimeout,
                "pack",
                Path.Combine(RepositoryRoot, "Runtime", "LayerDsl.Runtime.csproj"),
                "-c",
                Configuration,
                "--no-build",
                "-o",
                feed,
                "-p:Version=" + version,
                "-p:NuspecOutputPath=" + Path.Combine(root, "nuspec") + Path.DirectorySeparatorChar,
                "-nologo");
            if (!File.Exists(Path.Combine(feed, $"LayerDsl.{version}.nupkg")))
            {
                throw new InvalidOperationException($"dotnet pack wrote no LayerDsl.{version}.nupkg into {feed}");
            }

            File.WriteAllText(Path.Combine(project.Directory, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <add key="layerdsl-local" value="{feed}" />
                  </packageSources>
                </configuration>
                """);
            // A class library: what a user writes models in. It references TorchSharp-cpu itself, as an application
            // picks its TorchSharp backend.
            File.WriteAllText(Path.Combine(project.Directory, "Consumer.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="LayerDsl" Version="{version}" />
                    <PackageReference Include="TorchSharp-cpu" Version="{TorchSharpVersion()}" />
                  </ItemGroup>
                </Project>
                """);
            await ChildProcesses.RunDotnetAsync(project.Directory, commandTimeout, "restore", "-nologo");
            return project;
        }
        catch
        {
            project.Dispose();
            throw;
        }
    }

    /// <summary>Writes a source file into the project and returns its URI.</summary>
    public Uri Write(string fileName, string text)
    {
        var path = Path.Combine(Directory, fileName);
        File.WriteAllText(path, text);
        return new Uri(path);
    }

    public void Dispose()
    {
        TryDelete(Path.Combine(_packageCache, "layerdsl", Version.ToLowerInvariant()));
        if (Environment.GetEnvironmentVariable("LAYERDSL_LSP_KEEP") == "1")
        {
            Trace.WriteLine("kept " + Root);
        }
        else
        {
            TryDelete(Root);
        }
    }

    /// <summary>The TorchSharp-cpu version the repository builds with (Directory.Packages.props).</summary>
    private static string TorchSharpVersion() =>
        XDocument.Load(Path.Combine(RepositoryRoot, "Directory.Packages.props"))
            .Descendants("PackageVersion")
            .Single(e => (string?)e.Attribute("Include") == "TorchSharp-cpu")
            .Attribute("Version")!.Value;

    private static void TryDelete(string directory)
    {
        try
        {
            if (System.IO.Directory.Exists(directory))
            {
                System.IO.Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
            // Left for the system's temporary-file cleanup; nothing depends on it.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static string FindRepositoryRoot([CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", "..", ".."));
}
