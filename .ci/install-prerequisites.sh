#!/usr/bin/env bash
# Installs the outside tools some tests use (Debian packages, npm packages). Idempotent.
set -euo pipefail
need=()
command -v node >/dev/null 2>&1 || need+=(nodejs npm)
if [ "${#need[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi

# Microsoft's SARIF multitool validates the SARIF report in the tests; they look for it under
# artifacts/tools/node_modules/.bin of the repository.
sarif_multitool_version=5.7.0
tools="$(cd "$(dirname "$0")/.." && pwd)/artifacts/tools"
installed=$(node -p "try { require('$tools/node_modules/@microsoft/sarif-multitool/package.json').version } catch { '' }" 2>/dev/null || true)
if [ "$installed" != "$sarif_multitool_version" ]; then
  mkdir -p "$tools"
  npm install --prefix "$tools" --no-audit --no-fund --no-save --loglevel=error \
    "@microsoft/sarif-multitool@$sarif_multitool_version" >/dev/null
fi
