# syntax=docker/dockerfile:1
# DiceRoller's production image. Built by CI and pushed to GHCR; `docker compose build` builds it locally.
# scripts/stack-test.sh builds it with Podman and runs the whole compose stack (docs/deploy.md, "What was executed here");
# DiceRoller.Tests/Deploy/PublishedAppTests.cs runs the same `dotnet publish` output without a container engine.

# The official .NET images. A build may name others with --build-arg: the stack test (scripts/stack-test.sh), on a
# machine without registry access, passes stand-ins it builds locally from Debian and the machine's .NET.
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
ARG ASPNET_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0

FROM ${SDK_IMAGE} AS build
WORKDIR /src

# Restore first, so the package layer stays cached until a project file changes.
COPY Directory.Build.props Directory.Packages.props .editorconfig ./
COPY DiceRoller/DiceRoller.csproj DiceRoller/
RUN dotnet restore DiceRoller/DiceRoller.csproj

# The front-end assets are committed (CI checks app.css is fresh); publish copies static/ next to the app.
COPY DiceRoller/ DiceRoller/
COPY static/ static/
RUN dotnet publish DiceRoller/DiceRoller.csproj -c Release -o /app --no-restore -p:UseAppHost=false

FROM ${ASPNET_IMAGE} AS runtime
LABEL org.opencontainers.image.title="DiceRoller" \
      org.opencontainers.image.description="Real-time dice rolling for tabletop groups" \
      org.opencontainers.image.licenses="MIT"
WORKDIR /app

# Owned by root and not writable by the app's user: the root filesystem can be mounted read-only
# (compose does: read_only + a tmpfs on /tmp). The app writes only to /data and /tmp.
COPY --from=build /app ./

# /data: the SQLite permalinks, the roll-signing key and, without Valkey, the Data Protection keys (so an upgrade keeps every player's cookie
# and every open page's form valid). Owned by the non-root user, so a fresh named volume inherits it.
RUN mkdir -p /data/keys && chown -R "$APP_UID" /data
VOLUME /data

# Garbage collector for a 2 vCPU / 4 GB box that also runs Valkey and nginx: workstation GC (gcServer=0),
# concurrent. Server GC would keep one heap and one GC thread per core and size its budgets for throughput,
# costing a few hundred MB for no gain at this load (tens of requests per second, mostly idle SSE streams);
# workstation GC keeps the app near 100 MB and its pauses short. The heap limit follows the container's
# memory limit (compose sets 1 GB; .NET then caps the GC heap at 75% of it).
ENV ASPNETCORE_URLS=http://+:8080 \
    ASPNETCORE_ENVIRONMENT=Production \
    ConnectionStrings__Permalinks="Data Source=/data/permalinks.db" \
    DataProtection__KeysFolder=/data/keys \
    DOTNET_gcServer=0 \
    DOTNET_gcConcurrent=1 \
    DOTNET_NOLOGO=1 \
    TMPDIR=/tmp
EXPOSE 8080

USER $APP_UID

# No curl in the image: the app probes itself (GET /api/health/live over loopback, exit 0 or 1).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["dotnet", "/app/DiceRoller.dll", "--health-check"]

ENTRYPOINT ["dotnet", "/app/DiceRoller.dll"]
