#!/usr/bin/env bash
# Measures what MLOpsGate.MSBuild costs a build: a no-op incremental `dotnet build` of the same
# small project without and with the package (the gate skipped because nothing changed), and a
# build where the gate runs (the model touched first). The two no-op builds are measured in
# alternating rounds so that a change in the machine's load affects both alike.
# Both with `dotnet build` as a developer runs it (implicit restore) and with --no-restore.
# Needs hyperfine and python3. Usage: bench/msbuild.sh [ROUNDS] [RUNS_PER_ROUND]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-10}
per_round=${2:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet pack "$repo/src/MLOpsGate.MSBuild" -o "$work/feed" -nologo -tl:off -v:q >/dev/null

mkdir -p "$work/.git"
cat > "$work/NuGet.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="bench" value="$work/feed" />
  </packageSources>
</configuration>
XML
cat > "$work/Directory.Build.props" <<XML
<Project>
  <PropertyGroup><RestorePackagesPath>$work/packages</RestorePackagesPath></PropertyGroup>
</Project>
XML
# The same project twice; only "gated" references the package (and has a manifest).
for project in plain gated; do
  mkdir -p "$work/$project"
  cat > "$work/$project/$project.csproj" <<'XML'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
  </PropertyGroup>
  <ItemGroup Condition="'$(MSBuildProjectName)' == 'gated'">
    <PackageReference Include="MLOpsGate.MSBuild" Version="0.1.0" />
  </ItemGroup>
</Project>
XML
  echo 'namespace Bench; public static class Class1 { public static int Answer => 42; }' > "$work/$project/Class1.cs"
done
model=digits-inverted-ok
mkdir -p "$work/gated/models" "$work/gated/data"
cp "$repo/fixtures/models/$model.onnx" "$work/gated/models/"
cp -r "$repo/fixtures/data/$model" "$work/gated/data/"
cat > "$work/gated/mlopsgate.yml" <<YAML
version: 1
models:
  - name: $model
    artifact: models/$model.onnx
    framework: pytorch
    dropout:
      convention: inverted
      sites:
        - input_of: "fc2.weight"
          rate: 0.5
    calibration:
      inputs: data/$model/inputs.npy
    expect:
      outputs: data/$model/outputs.npy
      activations: data/$model/activations.npz
      checkpoint: data/$model/checkpoint.npz
YAML

dotnet build "$work/plain" -tl:off -v:q >/dev/null
dotnet build "$work/gated" -tl:off -v:q >/dev/null

for round in $(seq "$rounds"); do
  hyperfine -N --style none --warmup 1 --runs "$per_round" --export-json "$work/noop-$round.json" \
    "dotnet build $work/plain -tl:off" "dotnet build $work/gated -tl:off" \
    "dotnet build $work/plain -tl:off --no-restore" "dotnet build $work/gated -tl:off --no-restore" >/dev/null 2>&1
done
hyperfine -N --style none --warmup 1 --runs $(( rounds * per_round / 2 > 2 ? rounds * per_round / 2 : 2 )) --export-json "$work/gate.json" \
  --prepare "touch $work/gated/models/$model.onnx" "dotnet build $work/gated -tl:off" >/dev/null 2>&1

# Where the no-op time goes: MSBuild's own timing of the package's targets.
dotnet build "$work/gated" -tl:off -clp:PerformanceSummary -v:n > "$work/perf.txt"

python3 - "$work" "$rounds" <<'PY'
import json, re, statistics, sys
work, rounds = sys.argv[1], int(sys.argv[2])
names = ["dotnet build", "dotnet build --no-restore"]
times = {(n, p): [] for n in names for p in ("plain", "gated")}
for r in range(1, rounds + 1):
    results = json.load(open(f"{work}/noop-{r}.json"))["results"]
    for i, (n, p) in enumerate([(names[0], "plain"), (names[0], "gated"), (names[1], "plain"), (names[1], "gated")]):
        times[(n, p)] += results[i]["times"]
for n in names:
    mp, mg = statistics.median(times[(n, "plain")]), statistics.median(times[(n, "gated")])
    print(f"no-op `{n}`: without the package median {mp*1000:.0f} ms, with it {mg*1000:.0f} ms "
          f"({len(times[(n, 'plain')])} runs each): ratio {mg/mp:.3f} ({(mg/mp-1)*100:+.1f}%)")
gate = json.load(open(f"{work}/gate.json"))["results"][0]["times"]
print(f"`dotnet build` where the gate runs (model touched): median {statistics.median(gate)*1000:.0f} ms ({len(gate)} runs)")
text = open(f"{work}/perf.txt").read()
section = text.split("Target Performance Summary:")[-1].split("Task Performance Summary:")[0]
for line in section.splitlines():
    if "MLOpsGate" in line:
        print("no-op target time:", " ".join(line.split()))
PY
