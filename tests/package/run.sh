#!/usr/bin/env bash
# The LayerDsl package as a new user meets it: pack into a local folder feed, create a console project outside the
# solution, `dotnet add package LayerDsl` from that feed. Without a libtorch backend the project still builds as a
# class library, and as an application fails with LAYERDSL0005 naming the backend to add; add it
# (`dotnet add package TorchSharp-cpu`), declare the origin's broken model and check that the build fails with
# LDSL0013 on the right line (once) in every build mode (plain, RunAnalyzers=false, RunAnalyzersDuringBuild=false),
# then fix it, build (warnings as errors), run a forward pass and print the summary, publish and run the published
# app. Every dotnet command of the consumer runs with a PATH holding only `dotnet`: no patchelf, g++, gcc or cc.
#
#   bash tests/package/run.sh
#
# LAYERDSL_PACKAGE_KEEP=1 keeps the temporary folder (feed, consumer project, build logs) and prints its path.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/layerdsl-package.XXXXXX")"
# A version no earlier run can have put into the NuGet cache.
version="0.1.0-local.$(date -u +%Y%m%d%H%M%S).$$"
packages="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 MSBUILDTERMINALLOGGER=off

cleanup() {
  rm -rf "$packages/layerdsl/$version"
  if [[ "${LAYERDSL_PACKAGE_KEEP:-}" == 1 ]]; then
    echo "package test: kept $work"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

fail() {
  echo "package test: FAILED: $*" >&2
  exit 1
}

step() { echo "== package test: [${SECONDS}s] $*"; }

step "pack LayerDsl $version"
dotnet pack "$repo/Runtime/LayerDsl.Runtime.csproj" -c Release -o "$work/feed" -p:Version="$version" -nologo -v q >"$work/pack.log" 2>&1 \
  || { cat "$work/pack.log"; fail "dotnet pack"; }
nupkg="$work/feed/LayerDsl.$version.nupkg"
[[ -f "$nupkg" ]] || fail "no $nupkg"
contents="$(unzip -Z1 "$nupkg")"
for entry in lib/net10.0/LayerDsl.Runtime.dll analyzers/dotnet/cs/LayerDsl.Generator.dll analyzers/dotnet/cs/LayerDsl.CodeFixes.dll \
  buildTransitive/LayerDsl.targets README.md; do
  grep -qx "$entry" <<<"$contents" || fail "$entry is not in the package"
done
if grep -E '\.(c|cpp|so)$' <<<"$contents"; then fail "the package ships native code or its sources"; fi
# Like TorchVision: the managed TorchSharp only; the application picks the libtorch backend.
nuspec="$(unzip -p "$nupkg" LayerDsl.nuspec)"
grep -qE '<dependency id="TorchSharp" version="[^"]+"' <<<"$nuspec" || { echo "$nuspec"; fail "TorchSharp is not a dependency"; }
if grep -qiE '<dependency id="(TorchSharp-cpu|TorchSharp-cuda|libtorch)' <<<"$nuspec"; then echo "$nuspec"; fail "the package depends on a libtorch backend"; fi

# The consumer's dotnet commands see this PATH only: the native set-up must need no compiler and no patchelf.
tools="$work/path"
mkdir -p "$tools"
ln -s "$(command -v dotnet)" "$tools/dotnet"
for tool in patchelf g++ gcc cc; do
  if PATH="$tools" command -v "$tool" >/dev/null; then fail "$tool is on the consumer's PATH ($tools)"; fi
done
consumer_dotnet() { PATH="$tools" dotnet "$@"; }

step "create a console project outside the solution"
consumer="$work/consumer"
mkdir -p "$consumer"
cd "$consumer"
cat >nuget.config <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="layerdsl-local" value="$work/feed" />
  </packageSources>
</configuration>
XML
consumer_dotnet new console --name Consumer --output . --framework net10.0 --no-restore >"$work/new.log" 2>&1 || { cat "$work/new.log"; fail "dotnet new console"; }
# What a careful user has: nullable, warnings as errors, and the generated files on disk.
sed -i 's|<Nullable>enable</Nullable>|<Nullable>enable</Nullable>\n    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>\n    <EmitCompilerGeneratedFiles>true</EmitCompilerGeneratedFiles>|' Consumer.csproj
grep -q TreatWarningsAsErrors Consumer.csproj || fail "could not set TreatWarningsAsErrors"

step "dotnet add package LayerDsl --version $version"
consumer_dotnet add package LayerDsl --version "$version" >"$work/add.log" 2>&1 || { cat "$work/add.log"; fail "dotnet add package LayerDsl"; }

cat >Model.cs <<'CS'
using LayerDsl;

[Input(28, 28, 1)]
[MaskedConv(5, 32)]
[Dense(10)]
public partial class MaskedConvNet
{
}
CS
rm Program.cs

step "no backend: a class library that declares a model builds"
consumer_dotnet build -nologo -p:OutputType=Library >"$work/build-library.log" 2>&1 || { cat "$work/build-library.log"; fail "the class library does not build without a backend"; }

cat >Program.cs <<'CS'
using System;
using TorchSharp;

using var model = new MaskedConvNet();
using var input = torch.randn(128, 1, 28, 28);
using var output = model.forward(input);
Console.WriteLine($"forward: [{string.Join(", ", input.shape)}] -> [{string.Join(", ", output.shape)}]");
Console.WriteLine(MaskedConvNet.Summary);
CS

step "no backend: the application fails with LAYERDSL0005"
if consumer_dotnet build -nologo >"$work/build-no-backend.log" 2>&1; then
  cat "$work/build-no-backend.log"
  fail "the application built without a libtorch backend"
fi
errors="$(grep -E ': error ' "$work/build-no-backend.log" | sort -u)"
[[ "$(wc -l <<<"$errors")" == 1 ]] || { cat "$work/build-no-backend.log"; fail "expected one distinct error"; }
grep -q 'Consumer.csproj : error LAYERDSL0005: ' <<<"$errors" || { cat "$work/build-no-backend.log"; fail "no LAYERDSL0005 on Consumer.csproj"; }
sed "s|$work|<tmp>|g; s| \[<tmp>/consumer/Consumer.csproj\]$||" <<<"$errors"
# The message's own command, verbatim.
add_backend="$(grep -oE 'dotnet add package TorchSharp-cpu --version [^` ]+' <<<"$errors" | head -n 1)"
[[ -n "$add_backend" ]] || fail "LAYERDSL0005 does not say: dotnet add package TorchSharp-cpu --version ..."

step "$add_backend"
# shellcheck disable=SC2086 # the command as the message prints it
consumer_dotnet ${add_backend#dotnet } >"$work/add-backend.log" 2>&1 || { cat "$work/add-backend.log"; fail "$add_backend"; }

# The origin's model: Dense pinned to the 28 x 28 x 1 = 784 input features instead of MaskedConv's 18432.
sed -i 's|\[Dense(10)\]|[Dense(10, InFeatures = 784)]|' Model.cs
grep -q 'InFeatures = 784' Model.cs || fail "could not break the model"

# The build's own counts (the console logger repeats each error in its closing summary) and the one distinct error.
expected='/consumer/Model\.cs\(5,12\): error LDSL0013: Dense\(10, InFeatures = 784\) is pinned to InFeatures = 784, but its input has 18432 features \(24 × 24 × 32 = 18432 from MaskedConv\(5, 32\)\); remove InFeatures or set it to 18432'
check_broken() {
  local log="$1" errors
  grep -qE '^ +0 Warning\(s\)$' "$log" || { echo "expected no warnings"; return 1; }
  grep -qE '^ +1 Error\(s\)$' "$log" || { echo "expected exactly one error (LDSL0013 once)"; return 1; }
  errors="$(grep -E ': (error|warning) ' "$log" | sort -u)"
  [[ "$(wc -l <<<"$errors")" == 1 ]] || { echo "expected one distinct error"; return 1; }
  grep -qE "$expected" <<<"$errors" || { echo "LDSL0013 is not at Model.cs(5,12) or does not name 784 and 18432"; return 1; }
}

# Every build mode must stop on the broken model; a failing mode is reported at the end, after the other checks.
failed_modes=()
for mode in "" "-p:RunAnalyzers=false" "-p:RunAnalyzersDuringBuild=false"; do
  name="dotnet build${mode:+ $mode}"
  log="$work/build-broken${mode:+-${mode#-p:}}.log"
  step "build the broken model ($name): expect LDSL0013 at Model.cs(5,12)"
  status=0
  touch Model.cs # compile afresh: an earlier mode that let the broken model through left an up-to-date output
  consumer_dotnet build -nologo ${mode:+"$mode"} >"$log" 2>&1 || status=$?
  if ((status == 0)); then
    reason="the broken model built"
  else
    reason="$(check_broken "$log")" && reason=""
  fi
  if [[ -n "$reason" ]]; then
    sed "s|$work|<tmp>|g" "$log"
    echo "package test: $name: $reason" >&2
    failed_modes+=("$name")
  elif [[ -z "$mode" ]]; then
    grep -E ': error ' "$log" | sort -u | sed "s|$work|<tmp>|g"
  fi
done

step "fix it (remove the InFeatures pin) and build with warnings as errors"
sed -i 's|\[Dense(10, InFeatures = 784)\]|[Dense(10)]|' Model.cs
consumer_dotnet build -nologo >"$work/build-fixed.log" 2>&1 || { cat "$work/build-fixed.log"; fail "the fixed model does not build"; }
if grep -qE ': (error|warning) ' "$work/build-fixed.log"; then
  cat "$work/build-fixed.log"
  fail "the fixed build has warnings"
fi
generated="$(find obj -path '*generated/LayerDsl.Generator/LayerDsl.Generator.ModelGenerator/MaskedConvNet.g.cs' | head -n 1)"
[[ -n "$generated" ]] || fail "EmitCompilerGeneratedFiles wrote no MaskedConvNet.g.cs"
header="$(head -n 4 "$generated" | sed '1s/^\xEF\xBB\xBF//')"
echo "$header"
grep -qx '// <auto-generated/>' <<<"$header" || fail "generated file has no auto-generated header"
grep -q "^// Generated by LayerDsl.Generator " <<<"$header" || fail "generated file does not name the generator version"
grep -qx '#nullable enable' <<<"$header" || fail "generated file lacks #nullable enable"

step "run: forward pass on [128, 1, 28, 28]"
consumer_dotnet run --no-build >"$work/run.log" 2>&1 || { cat "$work/run.log"; fail "dotnet run"; }
cat "$work/run.log"
grep -qx 'forward: \[128, 1, 28, 28\] -> \[128, 10\]' "$work/run.log" || fail "forward pass did not give [128, 10]"
grep -qE '^maskedConv1 \(MaskedConv\(5, 32\): 32 filters, 5 × 5 kernel\) +\[-1, 32, 24, 24\] +1,450$' "$work/run.log" || fail "summary lacks the MaskedConv row"
grep -qE '^dense1 \(Dense\(10\)\) +\[-1, 10\] +184,330$' "$work/run.log" || fail "summary lacks the Dense row"
grep -qx 'Total params: 185,780' "$work/run.log" || fail "summary total is wrong"

step "dotnet publish, then run the published app"
consumer_dotnet publish -nologo -c Release -o "$work/published" >"$work/publish.log" 2>&1 || { cat "$work/publish.log"; fail "dotnet publish"; }
consumer_dotnet "$work/published/Consumer.dll" >"$work/published.log" 2>&1 || { cat "$work/published.log"; fail "the published app does not run"; }
grep -qx 'forward: \[128, 1, 28, 28\] -> \[128, 10\]' "$work/published.log" || { cat "$work/published.log"; fail "the published app's forward pass did not give [128, 10]"; }
echo "published app: $(head -n 1 "$work/published.log")"

step "a new user's own LeNet, trained with the library's training API on 5,000 real images for one epoch"
data="${FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}"
[[ -f "$data/train-images-idx3-ubyte.gz" ]] || fail "no Fashion-MNIST in $data (sudo apt-get install dataset-fashion-mnist, or set FASHION_MNIST_DIR)"
# Only LayerDsl's using: Padding (TorchSharp's enum) comes from the package's global alias.
cat >Model.cs <<'CS'
using LayerDsl;

[Input(28, 28, 1)]
[Conv2D(6, 5, Padding = Padding.Same, Activation = Activation.ReLU)]
[MaxPool2D]
[Conv2D(16, 5, Activation = Activation.ReLU)]
[MaxPool2D]
[Dense(120, Activation = Activation.ReLU)]
[Dense(84, Activation = Activation.ReLU)]
[Dense(10)]
public partial class LeNet
{
}
CS
cat >Program.cs <<'CS'
using System;
using System.IO;
using System.IO.Compression;
using LayerDsl.Training;
using TorchSharp;

var folder = args[0];

// The four IDX files, read as a user would: a 16-byte header (8 for labels), then one byte per pixel (or label).
(torch.Tensor Images, torch.Tensor Labels) Load(string images, string labels, int count)
{
    byte[] Read(string name, int header, int length)
    {
        using var stream = new GZipStream(File.OpenRead(Path.Combine(folder, name)), CompressionMode.Decompress);
        var bytes = new byte[header + length];
        stream.ReadExactly(bytes);
        return bytes[header..];
    }

    var x = torch.tensor(Read(images, 16, count * 784)).reshape(count, 1, 28, 28).to_type(torch.float32).div(255);
    var y = torch.tensor(Read(labels, 8, count)).to_type(torch.int64);
    return (x, y);
}

var train = Load("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", 5000);
var test = Load("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", 10000);
Trainer.Seed(0);
using var model = new LeNet();
var result = Trainer.Train(model, train, test, new TrainingOptions { Epochs = 1, BatchSize = 16 });
Console.WriteLine(FormattableString.Invariant($"LeNet: {LeNet.Info.Parameters} parameters, test accuracy {result.Final.Accuracy:F4} after one epoch on 5000 images"));
return result.Final.Accuracy >= 0.70 ? 0 : 1;
CS
consumer_dotnet build -nologo >"$work/build-lenet.log" 2>&1 || { cat "$work/build-lenet.log"; fail "the LeNet consumer does not build"; }
consumer_dotnet run --no-build -- "$data" >"$work/lenet.log" 2>&1 || { cat "$work/lenet.log"; fail "LeNet did not reach 0.70 test accuracy"; }
tail -n 1 "$work/lenet.log"

((${#failed_modes[@]} == 0)) || fail "the broken model was not stopped by exactly one LDSL0013 in: $(IFS=,; echo "${failed_modes[*]}")"
echo "package test: passed in ${SECONDS}s (LayerDsl $version)"
