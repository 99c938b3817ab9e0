using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace LayerDsl.Runtime.Tests;

/// <summary>
/// TorchSharp's native library must load in the test output, and on a system whose libstdc++ lacks
/// GLIBCXX_3.4.32 the build (Runtime/build/LayerDsl.Runtime.targets) must have put there a copy of the package's
/// library that differs from it in exactly two bytes: the binding of _ZSt21ios_base_library_initv and the flags of the
/// GLIBCXX_3.4.32 requirement, both made weak.
/// </summary>
public sealed class NativeSetupTests
{
    private const string BridgedVersion = "GLIBCXX_3.4.32";
    private const string BridgedSymbol = "_ZSt21ios_base_library_initv";
    private const byte StbGlobal = 1, StbWeak = 2;
    private const ushort VerFlgWeak = 0x2;

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
    public void OutputLibraryIsThePackagesWithExactlyTwoBytesMadeWeakWhenTheSystemNeedsIt()
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux) || RuntimeInformation.OSArchitecture != Architecture.X64)
        {
            return; // the edit only exists for linux-x64
        }

        var library = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(library), $"{library} is missing");
        var source = PackageLibrary();
        var edited = File.ReadAllBytes(library);
        var original = File.ReadAllBytes(source);

        var libStdCxx = LoadedLibStdCxx();
        if (Elf.Read(File.ReadAllBytes(libStdCxx)).DefinedVersions.Contains(BridgedVersion))
        {
            Assert.True(original.AsSpan().SequenceEqual(edited), $"{libStdCxx} defines {BridgedVersion}, yet {library} differs from {source}");
            return;
        }

        // Where the two bytes are, read from the package's library by this test's own ELF reader.
        var elf = Elf.Read(original);
        var symbol = Assert.Single(elf.Symbols, s => s.Name == BridgedSymbol);
        Assert.Equal(0, symbol.SectionIndex); // undefined: libstdc++ was to supply it
        Assert.Equal(StbGlobal, original[symbol.InfoOffset] >> 4);
        var requirement = Assert.Single(elf.Requirements, r => r.File == "libstdc++.so.6" && r.Version == BridgedVersion);
        var flags = BitConverter.ToUInt16(original, requirement.FlagsOffset);
        Assert.Equal(0, flags & VerFlgWeak);

        Assert.Equal(original.Length, edited.Length);
        var differences = Enumerable.Range(0, original.Length).Where(i => original[i] != edited[i]).ToArray();
        Assert.Equal(new[] { symbol.InfoOffset, requirement.FlagsOffset }.Order(), differences);
        Assert.Equal((StbWeak << 4) | (original[symbol.InfoOffset] & 0x0f), edited[symbol.InfoOffset]);
        Assert.Equal(flags | VerFlgWeak, BitConverter.ToUInt16(edited, requirement.FlagsOffset));

        // The edited copy is the one this process runs on, with a libstdc++ that lacks the version.
        using (torch.zeros(1))
        {
        }
        var mapped = MappedFiles();
        Assert.Contains(Path.GetFullPath(library), mapped);
        Assert.DoesNotContain(source, mapped);
    }

    /// <summary>
    /// The build's edit, run on TorchSharp's library and on copies damaged so that making the symbol weak would be
    /// wrong: it must write exactly the two-byte edit for the first and refuse the others with LAYERDSL0004, naming
    /// the library and what it found. Runs whatever the system's libstdc++ is.
    /// </summary>
    [Fact]
    public void EditWritesTwoBytesOrRefusesWithTheReason()
    {
        var original = File.ReadAllBytes(PackageLibrary());
        var elf = Elf.Read(original);
        var symbolIndex = elf.Symbols.FindIndex(s => s.Name == BridgedSymbol);
        var symbol = elf.Symbols[symbolIndex];
        var requirement = Assert.Single(elf.Requirements, r => r.File == "libstdc++.so.6" && r.Version == BridgedVersion);
        var versym = Assert.Single(elf.Sections, s => s.Type == 0x6fffffff); // SHT_GNU_versym
        var relaPlt = Assert.Single(elf.Sections, s => s.Name == ".rela.plt");
        var otherSymbol = elf.Symbols.FindIndex(s => s.Name != BridgedSymbol && s.Name.Length > 0 && s.SectionIndex == 0);

        var directory = Directory.CreateTempSubdirectory("layerdsl-native-").FullName;
        try
        {
            var cases = new Dictionary<string, (Action<byte[]> Damage, string? Refusal)>
            {
                ["intact"] = (_ => { }, null),
                // A relocation (the first of .rela.plt) now binds to the symbol: r_info's high 32 bits are its index.
                ["relocated"] = (b => BitConverter.TryWriteBytes(b.AsSpan(relaPlt.Offset + 8 + 4), symbolIndex),
                    $"relocation(s) in .rela.plt refer to {BridgedSymbol}"),
                // The symbol is defined (st_shndx != SHN_UNDEF).
                ["defined"] = (b => BitConverter.TryWriteBytes(b.AsSpan(symbol.InfoOffset + 2), (ushort)12),
                    $"{BridgedSymbol} (.dynsym entry {symbolIndex}) is defined there"),
                // Another undefined symbol needs the same version.
                ["shared"] = (b => b.AsSpan(versym.Offset + 2 * symbolIndex, 2).CopyTo(b.AsSpan(versym.Offset + 2 * otherSymbol)),
                    $"{BridgedVersion} is needed by 1 other symbol(s) too ({elf.Symbols[otherSymbol].Name})"),
            };
            foreach (var (name, (damage, _)) in cases)
            {
                var bytes = (byte[])original.Clone();
                damage(bytes);
                File.WriteAllBytes(Path.Combine(directory, name + ".so"), bytes);
            }

            var output = RunEdit(directory, cases.Keys.Select(name => Path.Combine(directory, name + ".so")));

            var edited = File.ReadAllBytes(Path.Combine(directory, "intact.so.edited"));
            var differences = Enumerable.Range(0, original.Length).Where(i => original[i] != edited[i]).ToArray();
            Assert.Equal(new[] { symbol.InfoOffset, requirement.FlagsOffset }.Order(), differences);
            Assert.Equal(StbWeak, edited[symbol.InfoOffset] >> 4);
            Assert.Equal(VerFlgWeak, BitConverter.ToUInt16(edited, requirement.FlagsOffset) & VerFlgWeak);

            var errors = output.Split('\n').Where(line => line.Contains(": error ", StringComparison.Ordinal)).Distinct().ToList();
            foreach (var (name, (_, refusal)) in cases.Where(c => c.Value.Refusal is not null))
            {
                var library = Path.Combine(directory, name + ".so");
                var error = Assert.Single(errors, e => e.Contains(library + " : error", StringComparison.Ordinal) || e.StartsWith(library + ": error", StringComparison.Ordinal));
                Assert.Contains("error LAYERDSL0004:", error);
                Assert.Contains(refusal!, error);
                Assert.False(File.Exists(library + ".edited"), $"an edited copy of the refused {name}.so was written");
            }
            Assert.Equal(cases.Count(c => c.Value.Refusal is not null), errors.Count);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Runs the build's edit task (from Runtime/build/LayerDsl.Runtime.targets) on each library; returns MSBuild's output.</summary>
    private static string RunEdit(string directory, IEnumerable<string> libraries, [CallerFilePath] string testFile = "")
    {
        var targets = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(testFile)!, "..", "..", "Runtime", "build", "LayerDsl.Runtime.targets"));
        var project = Path.Combine(directory, "edit.proj");
        File.WriteAllText(project, $"""
            <Project>
              <Import Project="{targets}" />
              <ItemGroup>
                <Library Include="{string.Join(";", libraries)}" />
              </ItemGroup>
              <Target Name="Edit">
                <LayerDslElfVersionTask Library="%(Library.Identity)" BridgedVersion="{BridgedVersion}" Symbol="{BridgedSymbol}"
                                        Destination="%(Library.Identity).edited" ContinueOnError="ErrorAndContinue" />
              </Target>
            </Project>
            """);
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = directory,
        };
        foreach (var argument in new[] { "msbuild", project, "-t:Edit", "-nologo", "-nodeReuse:false", "-v:m", "-clp:NoSummary" })
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd() + error.Result;
        process.WaitForExit();
        Assert.True(process.ExitCode == 1, $"dotnet msbuild exited {process.ExitCode} (1 expected: some libraries are refused):\n{output}");
        return output;
    }

    /// <summary>TorchSharp's own libLibTorchSharp.so in the NuGet package folder, found through this test's deps.json.</summary>
    private static string PackageLibrary()
    {
        var depsFile = Path.Combine(AppContext.BaseDirectory, "LayerDsl.Runtime.Tests.deps.json");
        using var deps = JsonDocument.Parse(File.ReadAllText(depsFile));
        var torchSharp = deps.RootElement.GetProperty("libraries").EnumerateObject()
            .Single(p => p.Name.StartsWith("TorchSharp/", StringComparison.Ordinal));
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var path = Path.Combine(packages, torchSharp.Value.GetProperty("path").GetString()!, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(path), $"TorchSharp's library is not at {path}; set NUGET_PACKAGES to the NuGet package folder this build restored into");
        return path;
    }

    /// <summary>The libstdc++ the dynamic loader mapped into this very process.</summary>
    private static string LoadedLibStdCxx()
    {
        static string? Mapped() => MappedFiles().FirstOrDefault(path => Path.GetFileName(path).StartsWith("libstdc++.so", StringComparison.Ordinal));

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

    /// <summary>The files mapped into this process, from /proc/self/maps.</summary>
    private static HashSet<string> MappedFiles() => File.ReadLines("/proc/self/maps")
        .Select(line => line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries))
        .Where(fields => fields.Length == 6)
        .Select(fields => fields[5].Trim())
        .Where(path => path.StartsWith('/'))
        .ToHashSet();

    private sealed record Requirement(string File, string Version, int FlagsOffset);

    private sealed record Symbol(string Name, int InfoOffset, int SectionIndex);

    private sealed record Section(string Name, uint Type, int Offset, int Size);

    /// <summary>Just enough of a little-endian ELF64 reader for dynamic symbols and version requirements and definitions.</summary>
    private sealed class Elf
    {
        public List<Section> Sections { get; } = new();
        public List<Symbol> Symbols { get; } = new();
        public List<Requirement> Requirements { get; } = new();
        public HashSet<string> DefinedVersions { get; } = new();

        public static Elf Read(byte[] b)
        {
            Assert.True(b.Length > 64 && b[0] == 0x7f && b[1] == 'E' && b[4] == 2 && b[5] == 1, "not a little-endian ELF64 file");
            var elf = new Elf();
            long shoff = (long)BitConverter.ToUInt64(b, 0x28);
            int shentsize = BitConverter.ToUInt16(b, 0x3A), shnum = BitConverter.ToUInt16(b, 0x3C), shstrndx = BitConverter.ToUInt16(b, 0x3E);
            int names = checked((int)BitConverter.ToUInt64(b, checked((int)(shoff + (long)shstrndx * shentsize + 24))));
            for (int i = 0; i < shnum; i++)
            {
                int h = checked((int)(shoff + (long)i * shentsize));
                uint type = BitConverter.ToUInt32(b, h + 4);
                int offset = checked((int)BitConverter.ToUInt64(b, h + 24));
                int size = checked((int)BitConverter.ToUInt64(b, h + 32));
                int link = (int)BitConverter.ToUInt32(b, h + 40);
                int count = (int)BitConverter.ToUInt32(b, h + 44);
                int strtab = checked((int)BitConverter.ToUInt64(b, checked((int)(shoff + (long)link * shentsize + 24))));
                elf.Sections.Add(new Section(Str(b, names + (int)BitConverter.ToUInt32(b, h)), type, offset, size));
                switch (type)
                {
                    case 11: // SHT_DYNSYM: Elf64_Sym is name (4), info (1), other (1), shndx (2), value (8), size (8)
                        for (int sym = offset; sym + 24 <= offset + size; sym += 24)
                        {
                            elf.Symbols.Add(new Symbol(Str(b, strtab + (int)BitConverter.ToUInt32(b, sym)), sym + 4, BitConverter.ToUInt16(b, sym + 6)));
                        }
                        break;
                    case 0x6ffffffe: // SHT_GNU_verneed
                        for (int n = 0, vn = offset; n < count; n++)
                        {
                            string file = Str(b, strtab + (int)BitConverter.ToUInt32(b, vn + 4));
                            int aux = vn + (int)BitConverter.ToUInt32(b, vn + 8);
                            for (int a = 0; a < BitConverter.ToUInt16(b, vn + 2); a++)
                            {
                                // Elf64_Vernaux: hash (4), flags (2), other (2), name (4), next (4)
                                elf.Requirements.Add(new Requirement(file, Str(b, strtab + (int)BitConverter.ToUInt32(b, aux + 8)), aux + 4));
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
