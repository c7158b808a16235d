#!/usr/bin/env bash
# Measures `mlopsgate check` as the number of calibration samples grows: wall time with hyperfine,
# peak resident memory with GNU time. Needs: hyperfine, /usr/bin/time (apt: hyperfine time).
# Usage: bench/measure.sh [WORKDIR]   (default: a temporary folder; prints Markdown tables)
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-$(mktemp -d)}
dotnet build src/MLOpsGate.Cli -c Release -v quiet -nologo >/dev/null
dotnet build bench/MLOpsGate.Benchmarks -c Release -v quiet -nologo >/dev/null
cli=src/MLOpsGate.Cli/bin/Release/net10.0/mlopsgate.dll
rows=(1000 10000 100000 1000000)
commands=()
for n in "${rows[@]}"; do
  [ -f "$work/rows-$n/mlopsgate.yml" ] || dotnet bench/MLOpsGate.Benchmarks/bin/Release/net10.0/MLOpsGate.Benchmarks.dll prepare "$n" "$work" >/dev/null
  commands+=("dotnet $cli check --manifest $work/rows-$n/mlopsgate.yml")
done
# The gate fails these models on purpose (exit 1): -i keeps hyperfine going.
hyperfine -N -i --warmup 1 --runs 5 --export-markdown "$work/time.md" "${commands[@]}" >/dev/null
sed "s|$work/||g; s|$cli|mlopsgate.dll|g" "$work/time.md"
echo
echo "| samples | peak RSS (MiB) |"
echo "|---:|---:|"
for n in "${rows[@]}"; do
  # The gate exits 1 on these models by design.
  /usr/bin/time -f %M -o "$work/rss" dotnet "$cli" check --manifest "$work/rows-$n/mlopsgate.yml" >/dev/null 2>&1 || true
  kb=$(tail -n 1 "$work/rss")
  echo "| $n | $((kb / 1024)) |"
done
