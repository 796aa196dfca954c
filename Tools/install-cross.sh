#!/usr/bin/env bash
# Installs everything the cross tests and the firmware build need (Debian 12), idempotently:
# the aarch64 and armhf Linux cross compilers and C libraries, qemu user-mode emulators, cmocka
# for the host and (multiarch) for arm64/armhf, the bare-metal arm-none-eabi toolchain with
# newlib, qemu-system-arm (Cortex-M4 on mps2-an386, for Tools/m4-bench) and qemu-user (the
# dynamically linked qemu-arm/qemu-aarch64 that load instruction-count plugins). Packages already installed are skipped; running it twice does nothing the second time.
# Usage: Tools/install-cross.sh        (as root, or with sudo available)
set -euo pipefail

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-cross: must run as root (or have sudo)" >&2; exit 1; }
  SUDO=(sudo)
fi
command -v dpkg >/dev/null && command -v apt-get >/dev/null \
  || { echo "install-cross: needs a Debian/Ubuntu system (dpkg, apt-get)" >&2; exit 1; }

native=(gcc-aarch64-linux-gnu gcc-arm-linux-gnueabihf libc6-dev-arm64-cross libc6-dev-armhf-cross
        qemu-user-static libcmocka-dev gcc-arm-none-eabi libnewlib-arm-none-eabi binutils-arm-none-eabi
        qemu-system-arm qemu-user python3 python3-numpy)
foreign=(libcmocka-dev:arm64 libcmocka-dev:armhf)

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

missing=()
for p in "${native[@]}" "${foreign[@]}"; do
  case "$p" in
    python3|python3-numpy)  # any python3 with numpy will do (pyenv, venv, Debian's)
      if python3 -c 'import numpy' 2>/dev/null; then continue; fi ;;
  esac
  installed "$p" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-cross: everything already installed"
  exit 0
fi
echo "install-cross: installing ${missing[*]}"

arches=$(dpkg --print-foreign-architectures)
for a in arm64 armhf; do
  grep -qx "$a" <<<"$arches" || "${SUDO[@]}" dpkg --add-architecture "$a"
done
export DEBIAN_FRONTEND=noninteractive
# A mirror caught mid-sync makes `apt-get update` fail for one index; retry, then go on with the
# lists that did download (the install below fails loudly if a package is really unavailable).
for attempt in 1 2 3; do
  if "${SUDO[@]}" apt-get update -qq; then break; fi
  echo "install-cross: apt-get update failed (attempt $attempt of 3)" >&2
  if [ "$attempt" -lt 3 ]; then sleep 10; fi
done
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"

for p in "${native[@]}" "${foreign[@]}"; do
  case "$p" in python3|python3-numpy) python3 -c 'import numpy' 2>/dev/null && continue ;; esac
  installed "$p" || { echo "install-cross: $p is still not installed" >&2; exit 1; }
done
echo "install-cross: OK"
