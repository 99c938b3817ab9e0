using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using LayerDsl.Experiments.Data;
using LayerDsl.Runtime.Tests.Fixtures;

namespace LayerDsl.Runtime.Tests;

public sealed class DataDiscoveryTests
{
    private sealed class Places : IDisposable
    {
        private readonly TempDir root = new();

        public string Option => root.Sub("option");

        public string FromEnvironment => root.Sub("env");

        public string System => root.Sub("system");

        public string Cache => root.Sub("cache");

        public string Sub(string name) => root.Sub(name);

        public FashionMnistLocator Locator(bool withEnvironment = true) => new(
            name => name == FashionMnistLocator.EnvironmentVariable && withEnvironment ? FromEnvironment : null,
            System,
            Cache);

        public void Dispose() => root.Dispose();
    }

    [Fact]
    public void Each_place_wins_over_the_ones_after_it()
    {
        using var places = new Places();
        foreach (var dir in new[] { places.Option, places.FromEnvironment, places.System, places.Cache })
        {
            IdxFiles.WriteDataset(dir);
        }

        var locator = places.Locator();
        Assert.Equal(new DatasetLocation(DatasetSource.Option, places.Option), locator.Locate(places.Option));
        Assert.Equal(new DatasetLocation(DatasetSource.EnvironmentVariable, places.FromEnvironment), locator.Locate(null));

        Directory.Delete(places.FromEnvironment, true);
        Assert.Equal(new DatasetLocation(DatasetSource.SystemPackage, places.System), locator.Locate(null));

        Directory.Delete(places.System, true);
        Assert.Equal(new DatasetLocation(DatasetSource.UserCache, places.Cache), locator.Locate(null));

        Directory.Delete(places.Cache, true);
        Assert.Null(locator.Locate(null));
    }

    [Fact]
    public void A_data_folder_must_hold_the_files_and_nothing_else_is_searched()
    {
        using var places = new Places();
        IdxFiles.WriteDataset(places.Option);
        File.Delete(Path.Combine(places.Option, FashionMnistFiles.TestLabels));
        IdxFiles.WriteDataset(places.FromEnvironment);
        IdxFiles.WriteDataset(places.System);

        var e = Assert.Throws<DatasetNotFoundException>(() => places.Locator().Locate(places.Option));

        Assert.StartsWith($"--data {places.Option}: the folder lacks {FashionMnistFiles.TestLabels} (", e.Message);
        Assert.DoesNotContain(FashionMnistFiles.TrainImages, e.Message);
        var missing = Assert.Throws<DatasetNotFoundException>(() => places.Locator().Locate(places.Sub("nowhere")));
        Assert.StartsWith($"--data {places.Sub("nowhere")}: no such folder", missing.Message);
    }

    [Fact]
    public void An_incomplete_environment_folder_is_reported_then_skipped()
    {
        using var places = new Places();
        IdxFiles.WriteDataset(places.FromEnvironment);
        File.Delete(Path.Combine(places.FromEnvironment, FashionMnistFiles.TrainImages));
        IdxFiles.WriteDataset(places.System);
        var warnings = new List<string>();

        var found = places.Locator().Locate(null, warnings.Add);

        Assert.Equal(DatasetSource.SystemPackage, found!.Source);
        string warning = Assert.Single(warnings);
        Assert.Equal($"FASHION_MNIST_DIR={places.FromEnvironment} lacks {FashionMnistFiles.TrainImages}; looking further.", warning);
    }

    [Fact]
    public void Decompressed_files_count_as_present()
    {
        using var places = new Places();
        Directory.CreateDirectory(places.System);
        File.WriteAllBytes(Path.Combine(places.System, "train-images-idx3-ubyte"), IdxFiles.Images(2));
        File.WriteAllBytes(Path.Combine(places.System, "train-labels-idx1-ubyte"), IdxFiles.Labels(2));
        File.WriteAllBytes(Path.Combine(places.System, "t10k-images-idx3-ubyte"), IdxFiles.Images(1));
        File.WriteAllBytes(Path.Combine(places.System, "t10k-labels-idx1-ubyte"), IdxFiles.Labels(1));

        var found = places.Locator(withEnvironment: false).Locate(null);

        Assert.Equal(DatasetSource.SystemPackage, found!.Source);
        Assert.Equal(2, FashionMnist.Load(found.Directory).Train.Count);
    }

    [Fact]
    public void Cache_default_follows_xdg_cache_home()
    {
        string dir = FashionMnistLocator.DefaultCacheDirectory(name => name == "XDG_CACHE_HOME" ? "/tmp/xdg" : null);
        Assert.Equal(Path.Combine("/tmp/xdg", "layerdsl", "fashion-mnist"), dir);
    }

    /// <summary>Serves the four files like the dataset's mirror, counting requests; answers 404 for anything else.</summary>
    private sealed class FakeMirror : HttpMessageHandler
    {
        private readonly Dictionary<string, byte[]> files;

        public FakeMirror(Dictionary<string, byte[]> files) => this.files = files;

        public List<string> Requests { get; } = new();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add(request.RequestUri!.ToString());
            string name = request.RequestUri.Segments.Last();
            var response = request.RequestUri.Host == "mirror.test" && files.TryGetValue(name, out var bytes)
                ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(bytes) }
                : new HttpResponseMessage(HttpStatusCode.NotFound);
            return Task.FromResult(response);
        }
    }

    private static Dictionary<string, byte[]> GoodFiles() => new()
    {
        [FashionMnistFiles.TrainImages] = IdxFiles.Gzip(IdxFiles.Images(20)),
        [FashionMnistFiles.TrainLabels] = IdxFiles.Gzip(IdxFiles.Labels(20)),
        [FashionMnistFiles.TestImages] = IdxFiles.Gzip(IdxFiles.Images(10)),
        [FashionMnistFiles.TestLabels] = IdxFiles.Gzip(IdxFiles.Labels(10)),
    };

    [Fact]
    public async Task Missing_everywhere_downloads_into_the_cache_with_progress_trying_mirrors_in_turn()
    {
        using var places = new Places();
        var mirror = new FakeMirror(GoodFiles());
        var downloader = new FashionMnistDownloader(new HttpClient(mirror), new[] { new Uri("http://down.test/data/"), new Uri("http://mirror.test/fashion/") });
        var progress = new List<DownloadProgress>();

        var found = await FashionMnistSource.ResolveAsync(null, places.Locator(withEnvironment: false), downloader, new SyncProgress(progress.Add));

        Assert.Equal(new DatasetLocation(DatasetSource.Download, places.Cache), found);
        Assert.Empty(FashionMnistFiles.Missing(places.Cache));
        Assert.Empty(Directory.GetFiles(places.Cache, "*.part"));
        Assert.Equal(8, mirror.Requests.Count);
        Assert.Equal("http://down.test/data/train-images-idx3-ubyte.gz", mirror.Requests[0]);
        Assert.Equal("http://mirror.test/fashion/train-images-idx3-ubyte.gz", mirror.Requests[1]);
        Assert.Contains(progress, p => p.FileName == FashionMnistFiles.TestLabels && p.BytesReceived == p.TotalBytes);
        Assert.Equal(20, FashionMnist.Load(found.Directory).Train.Count);

        // The second time it is found in the cache, with no request.
        Assert.Equal(DatasetSource.UserCache, (await FashionMnistSource.ResolveAsync(null, places.Locator(false), downloader)).Source);
        Assert.Equal(8, mirror.Requests.Count);
    }

    [Fact]
    public async Task An_incomplete_data_folder_is_not_completed_by_a_download()
    {
        using var places = new Places();
        Directory.CreateDirectory(places.Option);
        var mirror = new FakeMirror(GoodFiles());
        var downloader = new FashionMnistDownloader(new HttpClient(mirror), new[] { new Uri("http://mirror.test/") });

        var e = await Assert.ThrowsAsync<DatasetNotFoundException>(() => FashionMnistSource.ResolveAsync(places.Option, places.Locator(false), downloader));

        Assert.StartsWith($"--data {places.Option}: the folder lacks {string.Join(", ", FashionMnistFiles.All)}", e.Message);
        Assert.Empty(mirror.Requests);
    }

    [Fact]
    public async Task A_corrupt_download_is_not_kept()
    {
        using var places = new Places();
        var files = GoodFiles();
        files[FashionMnistFiles.TestLabels] = IdxFiles.Gzip(IdxFiles.Labels(10, badLabelAt0: 200));
        var downloader = new FashionMnistDownloader(new HttpClient(new FakeMirror(files)), new[] { new Uri("http://mirror.test/") });

        var e = await Assert.ThrowsAsync<DatasetNotFoundException>(() => FashionMnistSource.ResolveAsync(null, places.Locator(false), downloader));

        Assert.Contains("label 200 at index 0", e.Message);
        Assert.Null(FashionMnistFiles.Find(places.Cache, FashionMnistFiles.TestLabels));
        Assert.Empty(Directory.GetFiles(places.Cache, "*.part"));
    }

    [Fact]
    public async Task Failure_everywhere_names_every_place_and_the_three_remedies()
    {
        using var places = new Places();
        var downloader = new FashionMnistDownloader(new HttpClient(new FakeMirror(new())), new[] { new Uri("http://mirror.test/") });

        var e = await Assert.ThrowsAsync<DatasetNotFoundException>(() => FashionMnistSource.ResolveAsync(null, places.Locator(), downloader));

        Assert.Equal(new[] { DatasetSource.EnvironmentVariable, DatasetSource.SystemPackage, DatasetSource.UserCache }, e.Candidates.Select(c => c.Source));
        Assert.Contains($"FASHION_MNIST_DIR={places.FromEnvironment}: missing", e.Message);
        Assert.Contains("404", e.Message);
        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message);
        Assert.Contains("--data DIR or FASHION_MNIST_DIR=DIR", e.Message);
        Assert.Contains($"network access, so the files download into {places.Cache}", e.Message);
    }

    private sealed class SyncProgress : IProgress<DownloadProgress>
    {
        private readonly Action<DownloadProgress> report;

        public SyncProgress(Action<DownloadProgress> report) => this.report = report;

        public void Report(DownloadProgress value) => report(value);
    }
}
