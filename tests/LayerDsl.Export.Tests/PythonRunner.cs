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
    public static string Run(string script, params string[] arguments)
    {
        string scripts = Path.Combine(AppContext.BaseDirectory, "Python");
        var (code, stdout, stderr) = Start(LayerDsl.Tests.Shared.PythonInterpreter.Path, new[] { Path.Combine(scripts, script) }.Concat(arguments));
        Assert.True(code == 0, $"{script} failed (exit code {code}):\n{stderr}{stdout}");
        return stdout;
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
