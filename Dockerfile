# syntax=docker/dockerfile:1
# The image of the MLOpsGate GitHub Action (action.yml: runs.using docker, image Dockerfile).
#
# The runner builds this file with the repository root as the context and NO build arguments, so the ARG
# defaults are the production path: build from source with the official .NET SDK image, run on the glibc
# .NET runtime image (ONNX Runtime ships no musl build, so no Alpine).
# action/build-local.sh overrides them to build offline for the tests: APP_STAGE=prebuilt takes the app
# published on the host from artifacts/action-publish/, BASE_IMAGE is a local Debian image with the .NET runtime.
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
ARG BASE_IMAGE=mcr.microsoft.com/dotnet/runtime:10.0
ARG APP_STAGE=source

FROM ${SDK_IMAGE} AS source
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/MLOpsGate.Core/ src/MLOpsGate.Core/
COPY src/MLOpsGate.Action/ src/MLOpsGate.Action/
RUN dotnet publish src/MLOpsGate.Action/MLOpsGate.Action.csproj -c Release -r linux-x64 --self-contained false -o /out

FROM ${BASE_IMAGE} AS prebuilt
COPY artifacts/action-publish/ /out/

FROM ${APP_STAGE} AS app

FROM ${BASE_IMAGE}
LABEL org.opencontainers.image.title="MLOpsGate GitHub Action" \
      org.opencontainers.image.description="Quality gate for exported ONNX models: dropout-scaling faults" \
      org.opencontainers.image.licenses="MIT"
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
COPY --from=app /out/ /app/
# The same path as runs.entrypoint in action.yml.
ENTRYPOINT ["/app/mlopsgate-action"]
