using LayerDsl.Experiments;

namespace LayerDsl.Models;

internal static class Program
{
    /// <summary>The experiment runner on this assembly's models; <c>compare</c> without <c>--models</c> runs the origin's two.</summary>
    private static int Main(string[] args) => ExperimentApp.Run(args, typeof(Program).Assembly, ["StandardCnn", "MaskedConvNet"]);
}
