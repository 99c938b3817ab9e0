namespace LayerDsl.Models;

internal static class Program
{
    private static int Main()
    {
        return 0;
    }
}
