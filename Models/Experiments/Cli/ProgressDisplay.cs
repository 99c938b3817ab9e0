using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using LayerDsl.Experiments.Data;
using LayerDsl.Training;
using Spectre.Console;

namespace LayerDsl.Experiments.Cli;

/// <summary>Receives training and download progress while a display is running.</summary>
internal interface IProgressSink
{
    void Training(string label, TrainingProgress progress);

    void Download(DownloadProgress progress);
}

/// <summary>
/// Shows progress: live Spectre.Console bars on an interactive terminal, plain periodic lines when output is redirected or
/// <c>CI</c> is set (so logs stay readable).
/// </summary>
internal abstract class ProgressDisplay
{
    public static ProgressDisplay For(IAnsiConsole console, bool? live = null)
    {
        bool interactive = live ?? (!Console.IsOutputRedirected
            && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"))
            && console.Profile.Capabilities.Interactive);
        return interactive ? new Live(console) : new Plain(console, TimeSpan.FromSeconds(5));
    }

    public abstract T Run<T>(Func<IProgressSink, T> work);

    internal static string Describe(string label, TrainingProgress p) => string.Create(
        CultureInfo.InvariantCulture,
        $"{label} epoch {p.Epoch}/{p.Epochs}: batch {p.Batch}/{p.Batches}, loss {p.Loss:F3}, accuracy {p.Accuracy:F3}, {p.ImagesPerSecond:F0} images/s, ETA {Duration(p.Remaining)}");

    internal static string Duration(TimeSpan span) => span.TotalHours >= 1
        ? span.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture)
        : span.ToString(@"m\:ss", CultureInfo.InvariantCulture);

    internal static string Megabytes(long bytes) => (bytes / 1e6).ToString("F1", CultureInfo.InvariantCulture) + " MB";

    private sealed class Live : ProgressDisplay
    {
        private readonly IAnsiConsole console;

        public Live(IAnsiConsole console) => this.console = console;

        public override T Run<T>(Func<IProgressSink, T> work)
        {
            var stats = new StatsColumn();
            return console.Progress()
                .AutoClear(false)
                .HideCompleted(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = 16 }, new PercentageColumn(), stats)
                .Start(context => work(new Sink(context, stats)));
        }

        private sealed class Sink : IProgressSink
        {
            private readonly ProgressContext context;
            private readonly StatsColumn stats;
            private readonly Dictionary<string, ProgressTask> tasks = new();

            public Sink(ProgressContext context, StatsColumn stats)
            {
                this.context = context;
                this.stats = stats;
            }

            public void Training(string label, TrainingProgress p)
            {
                string key = $"{label}#{p.Epoch}";
                if (!tasks.TryGetValue(key, out var task))
                {
                    task = context.AddTask(Markup.Escape(key), maxValue: p.Batches);
                    tasks[key] = task;
                }

                task.Value = p.Batch;
                task.Description = Markup.Escape($"{label} epoch {p.Epoch}/{p.Epochs}");
                stats.Set(task, string.Create(
                    CultureInfo.InvariantCulture,
                    $"{p.Batch}/{p.Batches} loss {p.Loss:F3} acc {p.Accuracy:F3} {p.ImagesPerSecond:F0} img/s ETA {Duration(p.Remaining)}"));
            }

            public void Download(DownloadProgress p)
            {
                if (!tasks.TryGetValue(p.FileName, out var task))
                {
                    task = context.AddTask(Markup.Escape($"download {p.FileName}"), maxValue: p.TotalBytes ?? 1);
                    tasks[p.FileName] = task;
                }

                if (p.TotalBytes is long total)
                {
                    task.MaxValue = total;
                    task.Value = p.BytesReceived;
                }

                task.Description = Markup.Escape($"download {p.FileName}");
                stats.Set(task, Megabytes(p.BytesReceived) + (p.TotalBytes is long t ? " of " + Megabytes(t) : ""));
            }
        }
    }

    /// <summary>The numbers of a task (batches, loss, accuracy, images/s, ETA), kept in its state by the sink.</summary>
    private sealed class StatsColumn : ProgressColumn
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<int, string> text = new();

        protected override bool NoWrap => true;

        public void Set(ProgressTask task, string value) => text[task.Id] = value;

        public override Spectre.Console.Rendering.IRenderable Render(Spectre.Console.Rendering.RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(text.TryGetValue(task.Id, out var value) ? value : "", new Style(Color.Grey)).Overflow(Overflow.Ellipsis);
    }

    private sealed class Plain : ProgressDisplay, IProgressSink
    {
        private readonly IAnsiConsole console;
        private readonly TimeSpan interval;
        private readonly Stopwatch clock = Stopwatch.StartNew();
        private readonly Dictionary<string, TimeSpan> lastLine = new();

        public Plain(IAnsiConsole console, TimeSpan interval)
        {
            this.console = console;
            this.interval = interval;
        }

        public override T Run<T>(Func<IProgressSink, T> work) => work(this);

        public void Training(string label, TrainingProgress p)
        {
            string key = $"{label}#{p.Epoch}";
            if (Due(key, p.Batch == 1 || p.Batch == p.Batches))
            {
                console.WriteLine($"[{clock.Elapsed.TotalSeconds,6:F1}s] {Describe(label, p)}");
            }
        }

        public void Download(DownloadProgress p)
        {
            if (Due(p.FileName, p.BytesReceived == 0 || p.BytesReceived == p.TotalBytes))
            {
                string total = p.TotalBytes is long t ? " of " + Megabytes(t) : "";
                console.WriteLine($"[{clock.Elapsed.TotalSeconds,6:F1}s] download {p.FileName}: {Megabytes(p.BytesReceived)}{total}");
            }
        }

        private bool Due(string key, bool force)
        {
            var now = clock.Elapsed;
            if (!force && lastLine.TryGetValue(key, out var last) && now - last < interval)
            {
                return false;
            }

            lastLine[key] = now;
            return true;
        }
    }
}
