using System.Collections.Generic;
using System.IO;

namespace LayerDsl.Generator.Layers;

/// <summary>The Python classes of the runtime's own modules (<c>Generator/PyTorch/*.py</c>, embedded), for models' twins.</summary>
internal static class PythonModules
{
    private static readonly Dictionary<string, string> Cache = new();

    /// <summary>
    /// The class <paramref name="className"/>'s Python source. A missing resource would be a packaging bug; the twin then
    /// gets a class that says so when constructed, rather than the generator failing.
    /// </summary>
    public static (string ClassName, string Source) Get(string className)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue(className, out var source))
            {
                using var stream = typeof(PythonModules).Assembly.GetManifestResourceStream($"LayerDsl.PyTorch.{className}.py");
                if (stream is null)
                {
                    source = Missing(className, $"LayerDsl's generator carries no PyTorch twin of {className}: please report this");
                }
                else
                {
                    using var reader = new StreamReader(stream);
                    source = reader.ReadToEnd().Replace("\r\n", "\n").Trim('\n') + "\n";
                }

                Cache[className] = source;
            }

            return (className, source);
        }
    }

    /// <summary>The runtime modules a user's twin class calls by name (<c>MaskedConv2d(...)</c>), so the model's twin includes them.</summary>
    public static IEnumerable<(string ClassName, string Source)> UsedBy(string source)
    {
        const string prefix = "LayerDsl.PyTorch.";
        foreach (var resource in typeof(PythonModules).Assembly.GetManifestResourceNames())
        {
            if (resource.StartsWith(prefix, System.StringComparison.Ordinal) && resource.EndsWith(".py", System.StringComparison.Ordinal))
            {
                var className = resource.Substring(prefix.Length, resource.Length - prefix.Length - 3);
                if (System.Text.RegularExpressions.Regex.IsMatch(source, $@"\b{className}\s*\("))
                {
                    yield return Get(className);
                }
            }
        }
    }

    /// <summary>A class that raises <paramref name="reason"/> when the twin constructs it.</summary>
    public static string Missing(string className, string reason) =>
        $"class {className}(nn.Module):\n" +
        "    def __init__(self, *args, **kwargs):\n" +
        "        super().__init__()\n" +
        $"        raise NotImplementedError({Py.Str(reason)})\n";
}
