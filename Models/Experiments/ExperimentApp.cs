using System;
using System.Collections.Generic;
using System.Reflection;
using System.Threading;
using LayerDsl.Experiments.Cli;
using LayerDsl.Training;
using Spectre.Console;

namespace LayerDsl.Experiments;

/// <summary>
/// The experiment runner's command line (<c>compare</c>, <c>evaluate</c>, <c>summary</c>) on the LayerDsl models of an
/// assembly. A program runs it on its own models with one line:
/// <code>static int Main(string[] args) => ExperimentApp.Run(args, typeof(Program).Assembly);</code>
/// </summary>
public static class ExperimentApp
{
    /// <summary>
    /// Parses <paramref name="args"/> and runs the command on the models of <paramref name="modelAssembly"/> (every public
    /// or internal class implementing <see cref="ILayerModel"/> with a constructor taking a device or nothing).
    /// <c>compare</c> without <c>--models</c> runs <paramref name="defaultModels"/>, or every model when null. Ctrl-C stops
    /// training after the current batch and prints the command that resumes it. Returns the exit code: 0 done, 1 data or
    /// checkpoint error, 2 usage error, 3 results written but some model not exported (<c>compare --export</c>), 130
    /// interrupted. Call it before any TorchSharp call of your own (it sets libtorch's
    /// thread waiting policy, which is read once when libtorch loads).
    /// </summary>
    public static int Run(string[] args, Assembly modelAssembly, IReadOnlyList<string>? defaultModels = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(modelAssembly);
        NativeThreading.PreferPassiveWaiting();

        // The command's only TorchSharp work while a model trains is the trainer's, so it may force a collection after
        // every batch (1.2-1.3x faster; unsafe where other threads run TorchSharp meanwhile).
        NativeMemory.ReleaseFinalizedEachBatch = true;
        if (Console.IsOutputRedirected)
        {
            // Logs and pipes are not 80 columns wide; keep tables (the confusion matrix has 11 columns) unwrapped.
            AnsiConsole.Profile.Width = 160;
        }

        using var interrupt = new CancellationTokenSource();
        ConsoleCancelEventHandler onCtrlC = (_, e) =>
        {
            // The first Ctrl-C stops at the next batch, so the run can say how to resume; a second one ends the process.
            if (!interrupt.IsCancellationRequested)
            {
                e.Cancel = true;
                interrupt.Cancel();
            }
        };
        Console.CancelKeyPress += onCtrlC;
        try
        {
            var app = new CliApp(AnsiConsole.Console, new ModelCatalog(modelAssembly), defaultModels);
            return app.Run(args, interrupt.Token);
        }
        finally
        {
            Console.CancelKeyPress -= onCtrlC;
        }
    }
}
