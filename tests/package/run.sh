#!/usr/bin/env bash
# The LayerDsl package as a new user meets it: pack into a local folder feed, create a console project outside the
# solution, `dotnet add package LayerDsl` from that feed, declare the origin's broken model and check that the build
# fails with LDSL0013 on the right line (once), then fix it, build (warnings as errors), run a forward pass and print
# the summary.
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

step() { echo "== package test: $*"; }

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
unzip -p "$nupkg" LayerDsl.nuspec | grep -q '<dependency id="TorchSharp-cpu"' || fail "TorchSharp-cpu is not a dependency"

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
dotnet new console --name Consumer --output . --framework net10.0 --no-restore >"$work/new.log" 2>&1 || { cat "$work/new.log"; fail "dotnet new console"; }
# What a careful user has: nullable, warnings as errors, and the generated files on disk.
sed -i 's|<Nullable>enable</Nullable>|<Nullable>enable</Nullable>\n    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>\n    <EmitCompilerGeneratedFiles>true</EmitCompilerGeneratedFiles>|' Consumer.csproj
grep -q TreatWarningsAsErrors Consumer.csproj || fail "could not set TreatWarningsAsErrors"

step "dotnet add package LayerDsl --version $version"
dotnet add package LayerDsl --version "$version" >"$work/add.log" 2>&1 || { cat "$work/add.log"; fail "dotnet add package"; }

cat >Program.cs <<'CS'
using System;
using TorchSharp;

using var model = new MaskedConvNet();
using var input = torch.randn(128, 1, 28, 28);
using var output = model.forward(input);
Console.WriteLine($"forward: [{string.Join(", ", input.shape)}] -> [{string.Join(", ", output.shape)}]");
Console.WriteLine(MaskedConvNet.Summary);
CS
# The origin's model: Dense pinned to the 28 x 28 x 1 = 784 input features instead of MaskedConv's 18432.
cat >Model.cs <<'CS'
using LayerDsl;

[Input(28, 28, 1)]
[MaskedConv(5, 32)]
[Dense(10, InFeatures = 784)]
public partial class MaskedConvNet
{
}
CS

step "build the broken model: expect LDSL0013 at Model.cs(5,12)"
if dotnet build -nologo >"$work/build-broken.log" 2>&1; then
  cat "$work/build-broken.log"
  fail "the broken model built"
fi
sed "s|$work|<tmp>|g" "$work/build-broken.log"
# The console logger repeats each error in its closing summary; the counts there are the build's own.
grep -qE '^ +0 Warning\(s\)$' "$work/build-broken.log" || fail "expected no warnings"
grep -qE '^ +1 Error\(s\)$' "$work/build-broken.log" || fail "expected exactly one error (LDSL0013 once)"
errors="$(grep -E ': (error|warning) ' "$work/build-broken.log" | sort -u)"
expected='/consumer/Model\.cs\(5,12\): error LDSL0013: Dense\(10, InFeatures = 784\) is pinned to InFeatures = 784, but its input has 18432 features \(24 × 24 × 32 = 18432 from MaskedConv\(5, 32\)\); remove InFeatures or set it to 18432'
[[ "$(wc -l <<<"$errors")" == 1 ]] || fail "expected one distinct error"
grep -qE "$expected" <<<"$errors" || fail "LDSL0013 is not at Model.cs(5,12) or does not name 784 and 18432"

step "fix it (remove the InFeatures pin) and build with warnings as errors"
sed -i 's|\[Dense(10, InFeatures = 784)\]|[Dense(10)]|' Model.cs
dotnet build -nologo >"$work/build-fixed.log" 2>&1 || { cat "$work/build-fixed.log"; fail "the fixed model does not build"; }
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
dotnet run --no-build >"$work/run.log" 2>&1 || { cat "$work/run.log"; fail "dotnet run"; }
cat "$work/run.log"
grep -qx 'forward: \[128, 1, 28, 28\] -> \[128, 10\]' "$work/run.log" || fail "forward pass did not give [128, 10]"
grep -qE '^maskedConv1 \(MaskedConv\(5, 32\)\) +\[-1, 32, 24, 24\] +1,450$' "$work/run.log" || fail "summary lacks the MaskedConv row"
grep -qE '^dense1 \(Dense\(10\)\) +\[-1, 10\] +184,330$' "$work/run.log" || fail "summary lacks the Dense row"
grep -qx 'Total params: 185,780' "$work/run.log" || fail "summary total is wrong"

step "dotnet publish, then run the published app"
dotnet publish -nologo -c Release -o "$work/published" >"$work/publish.log" 2>&1 || { cat "$work/publish.log"; fail "dotnet publish"; }
dotnet "$work/published/Consumer.dll" >"$work/published.log" 2>&1 || { cat "$work/published.log"; fail "the published app does not run"; }
grep -qx 'forward: \[128, 1, 28, 28\] -> \[128, 10\]' "$work/published.log" || { cat "$work/published.log"; fail "the published app's forward pass did not give [128, 10]"; }
echo "published app: $(head -n 1 "$work/published.log")"

echo "package test: passed (LayerDsl $version)"
