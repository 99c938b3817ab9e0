using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;

namespace LayerDsl.Runtime.Tests.Fixtures;

/// <summary>
/// Starts Python processes with PyTorch, with the interpreter <see cref="LayerDsl.Tests.Shared.PythonInterpreter"/> finds.
/// </summary>
public static class PythonTorch
{
    /// <summary>Starts <paramref name="script"/> with <paramref name="arguments"/> in <paramref name="directory"/>, with extra environment variables, one CPU thread unless they say otherwise.</summary>
    public static PythonProcess Start(string script, IEnumerable<string> arguments, string directory, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = Info(LayerDsl.Tests.Shared.PythonInterpreter.Path, directory);
        start.ArgumentList.Add(script);
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // One thread per process is kind to a shared machine and enough for the small models the tests train.
        start.Environment["OMP_NUM_THREADS"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return new PythonProcess(Process.Start(start)!, $"{Path.GetFileName(script)} {string.Join(" ", arguments)}");
    }

    /// <summary>A TCP port on 127.0.0.1 that was free a moment ago, for a process group's rendezvous.</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static ProcessStartInfo Info(string file, string directory) => new(file)
    {
        RedirectStandardOutput = true,
        RedirectStandardError = true,
        UseShellExecute = false,
        WorkingDirectory = directory,
    };
}

/// <summary>A running Python process whose output is collected as it comes.</summary>
public sealed class PythonProcess : IDisposable
{
    private readonly Process process;
    private readonly Task<string> stdout;
    private readonly Task<string> stderr;

    internal PythonProcess(Process process, string command)
    {
        this.process = process;
        Command = command;
        stdout = process.StandardOutput.ReadToEndAsync();
        stderr = process.StandardError.ReadToEndAsync();
    }

    /// <summary>The script and its arguments, for messages.</summary>
    public string Command { get; }

    /// <summary>Waits for the process to end, at most <paramref name="timeout"/> (then ends it and its children and throws); returns exit code, standard output and standard error.</summary>
    public (int Code, string Out, string Error) Wait(TimeSpan timeout)
    {
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException($"python {Command} did not finish in {timeout.TotalSeconds:F0} s; it printed:\n{stderr.Result}{stdout.Result}");
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Ends the process if it still runs (a test that failed early leaves no process behind).</summary>
    public void Dispose()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
            }
        }
        catch (InvalidOperationException)
        {
        }

        process.Dispose();
    }
}
