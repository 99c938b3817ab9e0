using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace LayerDsl.Runtime.Tests;

/// <summary>
/// TorchSharp's native library must load in the test output, and on a system whose libstdc++ lacks
/// GLIBCXX_3.4.32 the build (Runtime/build/LayerDsl.Runtime.targets) must have put the patched copy there.
/// </summary>
public sealed class NativeSetupTests
{
    private const string BridgedVersion = "GLIBCXX_3.4.32";
    private const string ShimName = "libstdcxx_compat.so";

    [Fact]
    public void ConvolutionForwardAndBackwardGiveKnownNumbers()
    {
        // 2 images of 6x6 ones, 3 filters of 3x3 ones, no bias: every output is 9.
        using var scope = torch.NewDisposeScope();
        var x = torch.ones(2, 1, 6, 6, requires_grad: true);
        using var conv = nn.Conv2d(1, 3, 3, bias: false);
        using (torch.no_grad())
        {
            conv.weight!.fill_(1.0);
        }

        var y = conv.forward(x);
        y.sum().backward();

        Assert.Equal(new long[] { 2, 3, 4, 4 }, y.shape);
        Assert.True(y.eq(9f).all().item<bool>(), "every output of a 3x3 sum of ones is 9");
        var dx = x.grad!;
        // d(sum y)/dx counts, over the 3 filters, the output windows that cover each input pixel.
        Assert.Equal(3f, dx[0, 0, 0, 0].item<float>());
        Assert.Equal(27f, dx[1, 0, 2, 3].item<float>());
        Assert.Equal(2f * 3 * 16 * 9, dx.sum().item<float>());
        // d(sum y)/dw sums the input under each tap over 2 images x 16 windows.
        Assert.True(conv.weight!.grad!.eq(32f).all().item<bool>(), "every weight gradient is 32");
    }

    [Fact]
    public void OutputHoldsThePatchedLibraryExactlyWhenTheSystemNeedsIt()
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux) || RuntimeInformation.OSArchitecture != Architecture.X64)
        {
            return; // the patch only exists for linux-x64
        }

        var nativeDir = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native");
        var library = Path.Combine(nativeDir, "libLibTorchSharp.so");
        var shim = Path.Combine(nativeDir, ShimName);
        Assert.True(File.Exists(library), $"{library} is missing");

        var libStdCxx = LoadedLibStdCxx();
        var systemLacksVersion = !Elf.Read(File.ReadAllBytes(libStdCxx)).DefinedVersions.Contains(BridgedVersion);
        var elf = Elf.Read(File.ReadAllBytes(library));
        var requirement = Assert.Single(elf.Requirements, r => r.File == "libstdc++.so.6" && r.Version == BridgedVersion);

        if (systemLacksVersion)
        {
            Assert.True(requirement.IsWeak, $"{BridgedVersion} requirement of {library} is not weak ({libStdCxx} lacks it)");
            Assert.Contains(ShimName, elf.Needed);
            Assert.True(File.Exists(shim), $"{shim} is missing");
            Assert.Contains("_ZSt21ios_base_library_initv", Encoding.ASCII.GetString(File.ReadAllBytes(shim)));
        }
        else
        {
            Assert.False(requirement.IsWeak, $"{libStdCxx} defines {BridgedVersion}, yet {library} was patched");
            Assert.DoesNotContain(ShimName, elf.Needed);
            Assert.False(File.Exists(shim), $"{shim} should not be in the output when {libStdCxx} defines {BridgedVersion}");
        }
    }

    /// <summary>The libstdc++ the dynamic loader mapped into this very process.</summary>
    private static string LoadedLibStdCxx()
    {
        static string? Mapped() => File.ReadLines("/proc/self/maps")
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length >= 6 && Path.GetFileName(fields[5]).StartsWith("libstdc++.so", StringComparison.Ordinal))
            .Select(fields => fields[5])
            .FirstOrDefault();

        var mapped = Mapped();
        if (mapped is null)
        {
            // The .NET runtime itself links libstdc++; should a host not, loading TorchSharp maps it.
            using (torch.zeros(1))
            {
            }
            mapped = Mapped();
        }
        Assert.True(mapped is not null, "no libstdc++ is mapped into the test process");
        return mapped!;
    }

    private sealed record Requirement(string File, string Version, bool IsWeak);

    /// <summary>Just enough of a little-endian ELF64 reader for version requirements and DT_NEEDED.</summary>
    private sealed class Elf
    {
        public List<Requirement> Requirements { get; } = new();
        public HashSet<string> DefinedVersions { get; } = new();
        public List<string> Needed { get; } = new();

        public static Elf Read(byte[] b)
        {
            Assert.True(b.Length > 64 && b[0] == 0x7f && b[1] == 'E' && b[4] == 2 && b[5] == 1, "not a little-endian ELF64 file");
            var elf = new Elf();
            long shoff = (long)BitConverter.ToUInt64(b, 0x28);
            int shentsize = BitConverter.ToUInt16(b, 0x3A), shnum = BitConverter.ToUInt16(b, 0x3C);
            for (int i = 0; i < shnum; i++)
            {
                int h = checked((int)(shoff + (long)i * shentsize));
                uint type = BitConverter.ToUInt32(b, h + 4);
                int offset = checked((int)BitConverter.ToUInt64(b, h + 24));
                int size = checked((int)BitConverter.ToUInt64(b, h + 32));
                int link = (int)BitConverter.ToUInt32(b, h + 40);
                int count = (int)BitConverter.ToUInt32(b, h + 44);
                int strtab = checked((int)BitConverter.ToUInt64(b, checked((int)(shoff + (long)link * shentsize + 24))));
                switch (type)
                {
                    case 6: // SHT_DYNAMIC
                        for (int d = offset; d + 16 <= offset + size; d += 16)
                        {
                            long tag = BitConverter.ToInt64(b, d);
                            if (tag == 0) break;
                            if (tag == 1) elf.Needed.Add(Str(b, strtab + (int)BitConverter.ToUInt64(b, d + 8))); // DT_NEEDED
                        }
                        break;
                    case 0x6ffffffe: // SHT_GNU_verneed
                        for (int n = 0, vn = offset; n < count; n++)
                        {
                            string file = Str(b, strtab + (int)BitConverter.ToUInt32(b, vn + 4));
                            int aux = vn + (int)BitConverter.ToUInt32(b, vn + 8);
                            for (int a = 0; a < BitConverter.ToUInt16(b, vn + 2); a++)
                            {
                                bool weak = (BitConverter.ToUInt16(b, aux + 4) & 0x2) != 0;
                                elf.Requirements.Add(new Requirement(file, Str(b, strtab + (int)BitConverter.ToUInt32(b, aux + 8)), weak));
                                aux += (int)BitConverter.ToUInt32(b, aux + 12);
                            }
                            vn += (int)BitConverter.ToUInt32(b, vn + 12);
                        }
                        break;
                    case 0x6ffffffd: // SHT_GNU_verdef
                        for (int n = 0, vd = offset; n < count; n++)
                        {
                            int aux = vd + (int)BitConverter.ToUInt32(b, vd + 12);
                            elf.DefinedVersions.Add(Str(b, strtab + (int)BitConverter.ToUInt32(b, aux)));
                            vd += (int)BitConverter.ToUInt32(b, vd + 16);
                        }
                        break;
                }
            }
            return elf;
        }

        private static string Str(byte[] b, int offset) => Encoding.ASCII.GetString(b, offset, Array.IndexOf(b, (byte)0, offset) - offset);
    }
}
