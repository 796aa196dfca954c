# Shared build steps of Tools/cross-test and Tools/firmware (sourced, not run).
# The instruction sets' flags (`joule_isa_swiftc_flags`, for the boards' BOARD_ISA) and this
# host's tuning for the host tools it builds.
# shellcheck source=host-isa.sh
. "$(dirname "${BASH_SOURCE[0]}")/host-isa.sh"
# Needs: ROOT (repository root). Uses SWIFTC (default swiftc).

SWIFTC=${SWIFTC:-swiftc}
EMBEDDED_FLAGS=(-enable-experimental-feature Embedded -no-allocations -wmo -parse-as-library -swift-version 6
                -Xfrontend -function-sections)

die() { echo "$(basename "$0"): error: $*" >&2; exit 1; }

need_tools() {
  local t
  for t in "$@"; do
    command -v "$t" >/dev/null || die "'$t' not found; run Tools/install-cross.sh first"
  done
}

# True when $1 is missing or older than any file under the other arguments.
stale() {
  local target=$1; shift
  [ -e "$target" ] || return 0
  [ -n "$(find "$@" -newer "$target" -type f 2>/dev/null | head -n 1)" ]
}

# build_joule_lib OUTDIR TARGET AR SWIFTFLAGS...: compiles JouleEvents, JouleCore and JouleEnergy
# (modules) and JouleC (the C exports, importing them) in Embedded mode, allocation-free, into
# OUTDIR/libjoule.a.
build_joule_lib() {
  local out=$1 target=$2 ar=$3; shift 3
  local lib="$out/libjoule.a"
  mkdir -p "$out"
  if ! stale "$lib" "$ROOT/Sources/JouleEvents" "$ROOT/Sources/JouleCore" "$ROOT/Sources/JouleEnergy" \
       "$ROOT/Sources/JouleC" "$ROOT/Tools/lib/joule-build.sh" "$out/flags"; then
    if [ "$(cat "$out/flags" 2>/dev/null)" = "$target $*" ]; then
      echo "  libjoule.a up to date ($target)"
      return 0
    fi
  fi
  echo "$target $*" >"$out/flags"
  echo "  swiftc $target: JouleEvents + JouleCore + JouleEnergy + JouleC (Embedded, -no-allocations, $*)"
  local core events energy
  core=$(find "$ROOT/Sources/JouleCore" -name '*.swift' | sort)
  energy=$(find "$ROOT/Sources/JouleEnergy" -name '*.swift' | sort)
  events=$(find "$ROOT/Sources/JouleEvents" -name '*.swift' | sort)
  # shellcheck disable=SC2086
  "$SWIFTC" -target "$target" "${EMBEDDED_FLAGS[@]}" "$@" -module-name JouleEvents \
    -emit-module -emit-module-path "$out/JouleEvents.swiftmodule" -c $events -o "$out/JouleEvents.o" \
    || die "compiling JouleEvents for $target failed"
  # shellcheck disable=SC2086
  "$SWIFTC" -target "$target" "${EMBEDDED_FLAGS[@]}" "$@" -module-name JouleCore -I "$out" \
    -emit-module -emit-module-path "$out/JouleCore.swiftmodule" -c $core -o "$out/JouleCore.o" \
    || die "compiling JouleCore for $target failed"
  # shellcheck disable=SC2086
  "$SWIFTC" -target "$target" "${EMBEDDED_FLAGS[@]}" "$@" -module-name JouleEnergy -I "$out" \
    -emit-module -emit-module-path "$out/JouleEnergy.swiftmodule" -c $energy -o "$out/JouleEnergy.o" \
    || die "compiling JouleEnergy for $target failed"
  "$SWIFTC" -target "$target" "${EMBEDDED_FLAGS[@]}" "$@" -module-name JouleC -I "$out" \
    -c "$ROOT"/Sources/JouleC/*.swift -o "$out/JouleC.o" \
    || die "compiling JouleC for $target failed"
  rm -f "$lib"
  "$ar" rcs "$lib" "$out/JouleEvents.o" "$out/JouleCore.o" "$out/JouleEnergy.o" "$out/JouleC.o" \
    || die "archiving $lib failed"
}

# pack_model JSON OUT.jmod [PACKMODEL FLAGS...]: packs with the host packer (built once into
# .build-capi). Give flagged packs their own output name (the staleness check looks at times only).
pack_model() {
  local json=$1 jmod=$2
  shift 2
  if ! stale "$jmod" "$json" "${json%.json}.safetensors" "$ROOT/Sources/JouleHost" "$ROOT/Sources/JouleCore/Packed"; then
    return 0
  fi
  # The packer: $PACKMODEL if set; else an up-to-date release build (Tools/setup makes one); else
  # a debug build of our own in .build-capi.
  local packer=${PACKMODEL:-}
  local sources=("$ROOT/Sources/JouleHost" "$ROOT/Sources/JouleCore" "$ROOT/Sources/JouleEvents" "$ROOT/Sources/packmodel")
  if [ -z "$packer" ] && [ -x "$ROOT/.build/release/packmodel" ] && ! stale "$ROOT/.build/release/packmodel" "${sources[@]}"; then
    packer="$ROOT/.build/release/packmodel"
  fi
  if [ -z "$packer" ]; then
    packer="$ROOT/.build-capi/debug/packmodel"
    if stale "$packer" "${sources[@]}"; then
      echo "  swift build --product packmodel (scratch path .build-capi)"
      mkdir -p "$ROOT/.build-cross"
      (cd "$ROOT" && swift build --scratch-path .build-capi --product packmodel >"$ROOT/.build-cross/packmodel-build.log" 2>&1) \
        || { tail -n 30 "$ROOT/.build-cross/packmodel-build.log" >&2; die "building packmodel failed"; }
      touch "$packer"  # a no-op build does not relink
    fi
  fi
  [ -x "$packer" ] || die "packer $packer not found"
  mkdir -p "$(dirname "$jmod")"
  "$packer" "$json" -o "$jmod" "$@" >"$jmod.txt" || die "packmodel $json failed"
  echo "  packed $(basename "$json") -> $jmod ($(stat -c %s "$jmod") bytes)"
}

# host_joule: prints the path of a host `joule` tool: $JOULE if set; else an up-to-date release
# build; else a debug build of our own in .build-capi.
host_joule() {
  local tool=${JOULE:-}
  local sources=("$ROOT/Sources/JouleHost" "$ROOT/Sources/JouleCore" "$ROOT/Sources/JouleEvents" "$ROOT/Sources/JouleEnergy"
                 "$ROOT/Sources/joule")
  if [ -z "$tool" ] && [ -x "$ROOT/.build/release/joule" ] && ! stale "$ROOT/.build/release/joule" "${sources[@]}"; then
    tool="$ROOT/.build/release/joule"
  fi
  if [ -z "$tool" ]; then
    tool="$ROOT/.build-capi/debug/joule"
    if stale "$tool" "${sources[@]}"; then
      echo "  swift build --product joule (scratch path .build-capi)" >&2
      mkdir -p "$ROOT/.build-cross"
      (cd "$ROOT" && swift build --scratch-path .build-capi --product joule >"$ROOT/.build-cross/joule-build.log" 2>&1) \
        || { tail -n 30 "$ROOT/.build-cross/joule-build.log" >&2; die "building joule failed"; }
      touch "$tool"
    fi
  fi
  [ -x "$tool" ] || die "joule $tool not found"
  echo "$tool"
}
