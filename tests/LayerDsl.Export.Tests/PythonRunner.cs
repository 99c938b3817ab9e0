using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace LayerDsl.Export.Tests;

/// <summary>Runs the scripts in Python/ with a Python that has PyTorch, or fails saying how to get one.</summary>
internal static class PythonRunner
{
    private static readonly Lazy<string> Interpreter = new(Find);

    public static string Run(string script, params string[] arguments)
    {
        string scripts = Path.Combine(AppContext.BaseDirectory, "Python");
        var (code, stdout, stderr) = Start(Interpreter.Value, new[] { Path.Combine(scripts, script) }.Concat(arguments));
        Assert.True(code == 0, $"{script} failed (exit code {code}):\n{stderr}{stdout}");
        return stdout;
    }

    /// <summary>$LAYERDSL_PYTHON, else Debian's /usr/bin/python3, else python3 on the PATH; checked to import torch.</summary>
    private static string Find()
    {
        string? configured = Environment.GetEnvironmentVariable("LAYERDSL_PYTHON");
        string candidate = !string.IsNullOrEmpty(configured) ? configured
            : File.Exists("/usr/bin/python3") ? "/usr/bin/python3"
            : "python3";
        (int Code, string Out, string Error) probe;
        try
        {
            probe = Start(candidate, new[] { "-c", "import torch; print(torch.__version__)" });
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException(
                $"These tests run PyTorch, but there is no Python at '{candidate}' ({e.Message}). "
                + "On Debian: sudo apt-get install python3-torch; or set LAYERDSL_PYTHON to a Python that has torch.", e);
        }
        if (probe.Code != 0)
            throw new InvalidOperationException(
                $"These tests run PyTorch, but '{candidate}' cannot import torch:\n{probe.Error}"
                + "On Debian: sudo apt-get install python3-torch; or set LAYERDSL_PYTHON to a Python that has torch.");
        return candidate;
    }

    private static (int Code, string Out, string Error) Start(string file, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        // One thread is plenty for these tiny models and kind to a shared machine.
        start.Environment["OMP_NUM_THREADS"] = "1";
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(" ", arguments)} did not finish in 2 minutes.");
        }
        return (process.ExitCode, stdout, error.Result);
    }

        public static JsonObject TensorJson(Tensor tensor)
        {
            using var values = tensor.detach().cpu().to(float64).contiguous();
            return new JsonObject
            {
                ["shape"] = new JsonArray(tensor.shape.Select(d => (JsonNode?)d).ToArray()),
                // float32 values are exact in float64, and so in JSON's round-trip text.
                ["values"] = new JsonArray(values.data<double>().ToArray().Select(v => (JsonNode?)v).ToArray()),
            };
        }

    /// <summary>A tensor written as {"shape", "values"}, in float32.</summary>
    public static Tensor FromJson(JsonNode entry)
    {
        long[] shape = entry["shape"]!.AsArray().Select(d => (long)d!).ToArray();
        float[] values = entry["values"]!.AsArray().Select(v => (float)(double)v!).ToArray();
        return tensor(values).reshape(shape);
    }

    /// <summary>A tensor written as {"shape", "values"}, in float64.</summary>
    public static Tensor FromJson64(JsonNode entry)
    {
        long[] shape = entry["shape"]!.AsArray().Select(d => (long)d!).ToArray();
        double[] values = entry["values"]!.AsArray().Select(v => (double)v!).ToArray();
        return tensor(values).reshape(shape);
    }
}
