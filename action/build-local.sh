#!/usr/bin/env bash
# build-local.sh TAG — builds the Action's image (the root Dockerfile) from the working tree on a machine that
# reaches no container registry.
#
#   1. publishes src/MLOpsGate.Action on this machine into artifacts/action-publish (what the Dockerfile's
#      `source` stage does with the SDK image in production);
#   2. builds a local .NET runtime image: the local Debian base of container-smoke.sh (debootstrap, cached) plus
#      this machine's Microsoft.NETCore.App runtime in /usr/share/dotnet, laid out like
#      mcr.microsoft.com/dotnet/runtime (built once per runtime version);
#   3. builds the root Dockerfile with APP_STAGE=prebuilt and BASE_IMAGE=that runtime image.
#
# The image's entry point is the one action.yml names; run it like the runner with
# `action/container-smoke.sh run TAG ...`. Needs: dotnet, and podman/buildah/runc/debootstrap as root
# (container-smoke.sh installs them with apt-get when missing).
set -euo pipefail
tag=${1:?usage: build-local.sh TAG}
root=$(cd "$(dirname "$0")/.." && pwd)
smoke="$root/action/container-smoke.sh"
log() { printf '[build-local] %s\n' "$*" >&2; }

bash "$smoke" base

log "publishing src/MLOpsGate.Action"
rm -rf "$root/artifacts/action-publish"
# Its own obj/bin under artifacts/action-build: the RID-specific restore must not touch the projects' obj/.
dotnet publish "$root/src/MLOpsGate.Action/MLOpsGate.Action.csproj" -c Release -r linux-x64 --self-contained false \
  --artifacts-path "$root/artifacts/action-build" -o "$root/artifacts/action-publish" --nologo -v quiet >&2

dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
runtime=$(ls -1 "$dotnet_root/shared/Microsoft.NETCore.App" | grep '^10\.' | sort -V | tail -n 1)
[ -n "$runtime" ] || { log "no .NET 10 runtime under $dotnet_root/shared/Microsoft.NETCore.App"; exit 1; }
runtime_image="localhost/mlopsgate-dotnet-runtime:$runtime"
if ! podman image exists "$runtime_image"; then
  log "building $runtime_image from the local base and $dotnet_root"
  ctx="$root/artifacts/dotnet-runtime-image"
  rm -rf "$ctx"
  mkdir -p "$ctx/dotnet/shared/Microsoft.NETCore.App"
  cp -a "$dotnet_root/dotnet" "$dotnet_root/host" "$ctx/dotnet/"
  cp -a "$dotnet_root/LICENSE.txt" "$dotnet_root/ThirdPartyNotices.txt" "$ctx/dotnet/" 2>/dev/null || true
  cp -a "$dotnet_root/shared/Microsoft.NETCore.App/$runtime" "$ctx/dotnet/shared/Microsoft.NETCore.App/"
  cat >"$ctx/Dockerfile" <<DOCKERFILE
ARG BASE_IMAGE=localhost/smoke-base:bookworm
FROM \${BASE_IMAGE}
ENV DOTNET_VERSION=$runtime DOTNET_RUNNING_IN_CONTAINER=true
COPY dotnet/ /usr/share/dotnet/
RUN ln -sf /usr/share/dotnet/dotnet /usr/bin/dotnet && dotnet --list-runtimes
DOCKERFILE
  bash "$smoke" build "$ctx" -t "$runtime_image"
  rm -rf "$ctx"
fi

log "building $tag"
# The runtime image carries the base's recipe label, so container-smoke.sh takes it as the (cached) base.
SMOKE_BASE_IMAGE="$runtime_image" bash "$smoke" build "$root" -t "$tag" --build-arg APP_STAGE=prebuilt
log "built $tag (entry point: $(podman image inspect --format '{{json .Config.Entrypoint}}' "$tag"))"
