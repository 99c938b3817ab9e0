using LayerDsl.Models.Cli;

namespace LayerDsl.Models;

internal static class Program
{
    private static int Main(string[] args) => CliApp.Run(args);
}
