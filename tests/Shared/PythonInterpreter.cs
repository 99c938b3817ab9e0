using System;
using System.ComponentModel;
using System.Diagnostics;
using System.IO;

namespace LayerDsl.Tests.Shared;

/// <summary>
/// The Python the tests run PyTorch with: <c>$LAYERDSL_PYTHON</c>, else Debian's <c>/usr/bin/python3</c> (python3-torch),
/// else <c>python3</c> on the PATH; checked once to import torch, or the test fails saying how to get one.
/// </summary>
public static class PythonInterpreter
{
    private const string Fix = "On Debian: sudo apt-get install python3-torch; or set LAYERDSL_PYTHON to a Python that has torch.";

    private static readonly Lazy<string> Found = new(Find);

    /// <summary>The interpreter's path, after checking that it imports torch (and torch.distributed).</summary>
    public static string Path => Found.Value;

    private static string Find()
    {
        string? configured = Environment.GetEnvironmentVariable("LAYERDSL_PYTHON");
        string candidate = !string.IsNullOrEmpty(configured) ? configured
            : File.Exists("/usr/bin/python3") ? "/usr/bin/python3"
            : "python3";
        var start = new ProcessStartInfo(candidate)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("import torch, torch.distributed; print(torch.__version__)");
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"These tests run PyTorch, but there is no Python at '{candidate}' ({e.Message}). {Fix}", e);
        }

        using (process)
        {
            var error = process.StandardError.ReadToEndAsync();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"These tests run PyTorch, but '{candidate}' cannot import torch:\n{error.Result}{Fix}");
            }
        }

        return candidate;
    }
}
