using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace LayerDsl.Experiments.Cli;

/// <summary>
/// How the running program was started: the words a shell needs before the program's own arguments
/// (<c>dotnet run --project Models -c Release --</c>, <c>dotnet app.dll</c>, or the executable), so that the program can
/// print a command the user can run again.
/// </summary>
/// <param name="Prefix">The words before the program's arguments.</param>
internal sealed record CommandEcho(IReadOnlyList<string> Prefix)
{
    /// <summary>
    /// The prefix of the current process. Under <c>dotnet run</c> (on Linux, where the parent's command line is readable)
    /// it is the parent's command line without <paramref name="args"/>; under <c>dotnet app.dll</c>, those two words; else the
    /// executable's path.
    /// </summary>
    public static CommandEcho Current(IReadOnlyList<string> args)
    {
        if (ParentCommandLine() is { } parent && parent.Count > args.Count && IsDotnet(parent[0]) && parent.Contains("run")
            && parent.Skip(parent.Count - args.Count).SequenceEqual(args))
        {
            return new CommandEcho(parent.Take(parent.Count - args.Count).ToArray());
        }

        string? process = Environment.ProcessPath;
        string entry = Environment.GetCommandLineArgs()[0];
        if (process is not null && IsDotnet(process) && !string.IsNullOrEmpty(entry))
        {
            return new CommandEcho(new[] { "dotnet", entry });
        }

        return new CommandEcho(new[] { process ?? entry });
    }

    /// <summary>The command line that runs the program with <paramref name="args"/>, quoted for a POSIX shell.</summary>
    public string Format(IEnumerable<string> args) => string.Join(" ", Prefix.Concat(args).Select(Quote));

    /// <summary>
    /// <paramref name="args"/> with any <c>--out</c> and <c>--resume</c> replaced by <c>--out <paramref name="outDirectory"/></c>
    /// and, when <paramref name="resume"/>, <c>--resume</c>: the arguments that continue a run in that folder.
    /// </summary>
    public static IReadOnlyList<string> WithOutput(IReadOnlyList<string> args, string outDirectory, bool resume)
    {
        var kept = new List<string>();
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (arg == "--out")
            {
                i++;
                continue;
            }

            if (arg.StartsWith("--out=", StringComparison.Ordinal) || arg.StartsWith("--out:", StringComparison.Ordinal))
            {
                continue;
            }

            if (arg == "--resume")
            {
                if (i + 1 < args.Count && (args[i + 1].Equals("true", StringComparison.OrdinalIgnoreCase) || args[i + 1].Equals("false", StringComparison.OrdinalIgnoreCase)))
                {
                    i++;
                }

                continue;
            }

            if (arg.StartsWith("--resume=", StringComparison.Ordinal) || arg.StartsWith("--resume:", StringComparison.Ordinal))
            {
                continue;
            }

            kept.Add(arg);
        }

        kept.Add("--out");
        kept.Add(outDirectory);
        if (resume)
        {
            kept.Add("--resume");
        }

        return kept;
    }

    /// <summary>A word as a POSIX shell reads it back unchanged.</summary>
    public static string Quote(string word) =>
        word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:,+@%".Contains(c, StringComparison.Ordinal))
            ? word
            : "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static bool IsDotnet(string path) => Path.GetFileNameWithoutExtension(path) == "dotnet";

    private static IReadOnlyList<string>? ParentCommandLine()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            // /proc/self/stat: "pid (comm) state ppid ..."; comm may hold spaces and parentheses, so split after the last ')'.
            string stat = File.ReadAllText("/proc/self/stat");
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            string cmdline = File.ReadAllText($"/proc/{fields[1]}/cmdline");
            var words = cmdline.Split('\0');
            return words.Length > 0 && words[^1].Length == 0 ? words[..^1] : words;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
