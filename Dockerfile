# syntax=docker/dockerfile:1
# Build: docker build -t diceroller .   (or `docker compose up --build`, see compose.yaml)

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src

# Restore first so the package layer is cached until a project file changes.
COPY Directory.Build.props Directory.Packages.props .editorconfig ./
COPY DiceRoller/DiceRoller.csproj DiceRoller/
RUN dotnet restore DiceRoller/DiceRoller.csproj

COPY DiceRoller/ DiceRoller/
COPY static/ static/
RUN dotnet publish DiceRoller -c Release -o /app --no-restore

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app

# The built front-end assets are committed; the app serves them at /static/.
COPY --from=build /app ./
COPY --from=build /src/static ./static

# /data holds the SQLite permalinks database; owned by the image's non-root user
# so a fresh named volume inherits the ownership.
RUN mkdir -p /data && chown "$APP_UID" /data
VOLUME /data

ENV ASPNETCORE_URLS=http://+:8080 \
    ConnectionStrings__Permalinks="Data Source=/data/permalinks.db"
EXPOSE 8080

# No HEALTHCHECK: the aspnet image has no curl or wget to probe with.
USER $APP_UID
ENTRYPOINT ["dotnet", "DiceRoller.dll"]
