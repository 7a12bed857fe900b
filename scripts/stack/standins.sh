#!/usr/bin/env bash
# Builds the local stand-ins for the official images the deploy uses, which cannot be pulled here (no container
# registry is reachable): a Debian 12 (bookworm) base from `debootstrap --variant=minbase`, then the .NET SDK and
# ASP.NET runtime images with this machine's .NET, and the Valkey, nginx and alpine images (Containerfile.* here).
#
#   bash scripts/stack/standins.sh      prints NAME=IMAGE lines: base sdk aspnet valkey nginx alpine
#
# Images are tagged localhost/diceroller-standin/NAME:KEY, KEY a hash of everything they are built from (these
# files, the machine's .NET versions and CA bundle), and kept between runs: an unchanged KEY reuses them; stand-ins
# of any other KEY are removed. Needs root, podman, debootstrap and CONTAINERS_CONF set by the caller (ulimits).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dotnet_root="$(dirname "$(readlink -f "$(command -v dotnet)")")"
ca_bundle=/etc/ssl/certs/ca-certificates.crt
suite=bookworm
mirror=http://deb.debian.org/debian
base_packages=ca-certificates,libicu72,libssl3,libgssapi-krb5-2,zlib1g,tzdata

runtime_version() { sed -n "s/^$1 \([^ ]*\) .*/\1/p" <<<"$runtimes" | sort -V | tail -1; }
runtimes="$("$dotnet_root/dotnet" --list-runtimes)"
dotnet_version="$(runtime_version Microsoft.NETCore.App)"
aspnet_version="$(runtime_version Microsoft.AspNetCore.App)"
sdk_version="$("$dotnet_root/dotnet" --version)"

key="$( { echo "$suite $mirror $base_packages $dotnet_version $aspnet_version $sdk_version"; sha256sum "$ca_bundle";
          cat "$here"/Containerfile.* "$here"/*.sh "$here"/apk; } | sha256sum | cut -c1-16)"
repo=localhost/diceroller-standin
image() { echo "$repo/$1:$key"; }

# Stand-ins of other keys (older inputs) are not reused: remove them.
podman images --format '{{.Repository}}:{{.Tag}}' | { grep "^$repo/" || true; } | { grep -v ":$key\$" || true; } \
  | while read -r old; do echo "standins: removing $old (inputs changed)" >&2; podman rmi "$old" >/dev/null || true; done

if ! podman image exists "$(image base)"; then
  rootfs="$(mktemp -d "${TMPDIR:-/tmp}/diceroller-rootfs.XXXXXX")"
  trap 'rm -rf "$rootfs"' EXIT
  echo "standins: debootstrap --variant=minbase --include=$base_packages $suite (about a minute)" >&2
  debootstrap --variant=minbase --include="$base_packages" "$suite" "$rootfs" "$mirror" >"$rootfs.log" 2>&1 \
    || { cat "$rootfs.log" >&2; exit 1; }
  rm -f "$rootfs.log"
  # As Debian's own container images: no service starts during package installs, no apt cache kept.
  printf '#!/bin/sh\nexit 101\n' > "$rootfs/usr/sbin/policy-rc.d"
  chmod 755 "$rootfs/usr/sbin/policy-rc.d"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" --numeric-owner -c . | podman import --change 'CMD ["bash"]' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' - "$(image base)" >/dev/null
  rm -rf "$rootfs"
  trap - EXIT
fi

build() {
  local name="$1"
  shift
  if ! podman image exists "$(image "$name")"; then
    echo "standins: building $(image "$name")" >&2
    podman build --pull=never --network host --format docker --layers=false -q \
      --build-arg BASE="$(image base)" "$@" -f "$here/Containerfile.$name" -t "$(image "$name")" "$here" >&2
  fi
}
host_volumes=(-v "$dotnet_root:/host/dotnet:ro" -v "$ca_bundle:/host/ca-certificates.crt:ro")
build sdk "${host_volumes[@]}" --build-arg DOTNET_VERSION="$dotnet_version" --build-arg ASPNET_VERSION="$aspnet_version" \
  --build-arg DOTNET_SDK_VERSION="$sdk_version"
build aspnet "${host_volumes[@]}" --build-arg DOTNET_VERSION="$dotnet_version" --build-arg ASPNET_VERSION="$aspnet_version"
build valkey
build nginx
build alpine

for name in base sdk aspnet valkey nginx alpine; do
  echo "$name=$(image "$name")"
done
