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

# npm packages the tests run, pinned, under artifacts/tools/node_modules/.bin of the repository:
# Microsoft's SARIF multitool validates the SARIF report; @action-validator/cli validates action.yml and
# the workflows. One npm call for all of them: a later `npm install --no-save` would prune the others.
packages=(
  "@microsoft/sarif-multitool@5.7.0"
  "@action-validator/cli@0.6.0"
  "@action-validator/core@0.6.0"
)
tools="$(cd "$(dirname "$0")/.." && pwd)/artifacts/tools"
missing=0
for spec in "${packages[@]}"; do
  name=${spec%@*}; version=${spec##*@}
  installed=$(node -p "try { require('$tools/node_modules/$name/package.json').version } catch { '' }" 2>/dev/null || true)
  [ "$installed" = "$version" ] || missing=1
done
if [ "$missing" = 1 ]; then
  mkdir -p "$tools"
  npm install --prefix "$tools" --no-audit --no-fund --no-save --loglevel=error "${packages[@]}" >/dev/null
fi

# The Action's container test builds and runs its image offline with podman (action/container-smoke.sh:
# podman, buildah, runc and debootstrap from apt, then a local Debian base image, cached under
# /var/cache/container-smoke). Both need root; elsewhere the test says why it skips.
if [ "$(id -u)" = 0 ]; then
  smoke_log=$(mktemp)
  if ! bash "$(dirname "$0")/../action/container-smoke.sh" base >"$smoke_log" 2>&1; then
    cat "$smoke_log" >&2
    rm -f "$smoke_log"
    exit 1
  fi
  rm -f "$smoke_log"
elif ! command -v podman >/dev/null 2>&1; then
  echo "install-prerequisites: not root, so podman and the container base image are not installed (the container test will skip)" >&2
fi
