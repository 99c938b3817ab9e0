using System;
using System.Diagnostics;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace LayerDsl.Lsp.Tests.Infrastructure;

/// <summary>Runs <c>dotnet</c> commands the way a user's shell would, with a time limit.</summary>
public static class ChildProcesses
{
    /// <summary>
    /// Removes what the test host's own MSBuild left in the environment (a child <c>dotnet</c> must find its SDK by
    /// itself, as in a user's shell), and turns off first-run chatter.
    /// </summary>
    public static void Prepare(ProcessStartInfo start)
    {
        foreach (var name in new[] { "MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBUILD_EXE_PATH", "MSBuildLoadMicrosoftTargetsReadOnly", "DOTNET_HOST_PATH" })
        {
            start.Environment.Remove(name);
        }

        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        start.Environment["MSBUILDTERMINALLOGGER"] = "off";
    }

    /// <summary>Runs <c>dotnet</c> with <paramref name="arguments"/>; throws with its output when it fails or overruns.</summary>
    public static async Task RunDotnetAsync(string workingDirectory, TimeSpan timeout, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Prepare(start);
        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var command = "dotnet " + string.Join(' ', arguments);
        using (var cancellation = new CancellationTokenSource(timeout))
        {
            try
            {
                await process.WaitForExitAsync(cancellation.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
                throw new TimeoutException($"`{command}` did not finish within {timeout.TotalSeconds:0} s. Output:\n{output}");
            }
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"`{command}` (in {workingDirectory}) failed with exit code {process.ExitCode}. Output:\n{output}");
        }
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }
}
