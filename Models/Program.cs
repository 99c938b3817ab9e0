using LayerDsl.Models.Cli;
using LayerDsl.Training;

namespace LayerDsl.Models;

internal static class Program
{
    private static int Main(string[] args)
    {
        // Before any TorchSharp call: OpenMP reads its wait policy once, when libtorch loads.
        NativeThreading.PreferPassiveWaiting();
        return CliApp.Run(args);
    }
}
