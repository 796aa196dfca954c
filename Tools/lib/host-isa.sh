# Sourced by the project's scripts before they build the package for this machine: exports
# JOULE_ISA (the best of avx512vnni / avx2 / portable that /proc/cpuinfo offers; `plain`, the
# firmware's kernel set, only when asked for) and, with a
# detected instruction set, JOULE_TARGET_CPU=native — each only where the caller has not set it.
# A caller's JOULE_ISA keeps Package.swift's default CPU for it (`JOULE_ISA=portable Tools/test`
# tests the portable build, `JOULE_ISA=avx2` builds for haswell); an unknown JOULE_ISA stops. Package.swift maps them to flags; without them a plain
# `swift build` builds the portable core. A developer who wants the scripts' build in a shell:
#   source Tools/lib/host-isa.sh
joule_host_isa() {
  local flags
  flags=" $(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null | cut -d: -f2) "
  case "$(uname -m)" in
    x86_64) ;;
    *) echo portable; return ;;
  esac
  if [[ $flags == *" avx2 "* ]]; then
    if [[ $flags == *" avx512f "* && $flags == *" avx512bw "* && $flags == *" avx512vl "* \
          && $flags == *" avx512_vnni "* ]]; then
      echo avx512vnni
    else
      echo avx2
    fi
  else
    echo portable
  fi
}
if [ -z "${JOULE_ISA:-}" ]; then
  # Detected here: tuned for this very machine (unless the caller named a CPU).
  JOULE_ISA=$(joule_host_isa)
  [ "$JOULE_ISA" = portable ] || export JOULE_TARGET_CPU=${JOULE_TARGET_CPU:-native}
fi
export JOULE_ISA
case "$JOULE_ISA" in
  portable|plain|armdsp|neon|avx2|avx512vnni) ;;
  *) echo "JOULE_ISA=$JOULE_ISA: expected portable, plain, armdsp, neon, avx2 or avx512vnni" >&2; return 1 2>/dev/null || exit 1 ;;
esac
# The swiftc flags Package.swift gives the core for an instruction set (argument, default
# JOULE_ISA) and JOULE_TARGET_CPU (its table of instruction sets is the authority; this mirrors it
# for the scripts that call swiftc directly, and for the boards' `BOARD_ISA`).
# The C module of the armdsp set's wrappers (`import JouleDSP`; a path without spaces).
JOULE_DSP_MODULE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/Sources/JouleCore/Kernels/arm/DSP"
# The C module of the neon set's dense block (`import JouleNEON`).
JOULE_NEON_MODULE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/Sources/JouleCore/Kernels/arm/NEON"
joule_isa_swiftc_flags() {
  local cpu=${JOULE_TARGET_CPU:-} set=${1:-$JOULE_ISA}
  case "$set" in
    portable) ;;
    plain) echo -D JOULE_PLAIN_KERNELS ;;
    armdsp) echo -D JOULE_PLAIN_KERNELS -D JOULE_ARM_DSP -I "$JOULE_DSP_MODULE_DIR" ;;
    neon) echo -D JOULE_ARM_NEON -I "$JOULE_NEON_MODULE_DIR" ;;
    avx2) echo -D JOULE_AVX2 -target-cpu "${cpu:-haswell}" ;;
    avx512vnni) echo -D JOULE_AVX2 -D JOULE_AVX512VNNI -target-cpu "${cpu:-cascadelake}" ;;
    *) echo "instruction set '$set': expected portable, plain, armdsp, neon, avx2 or avx512vnni" >&2; return 1 ;;
  esac
  if [ "$set" = portable ] && [ -n "$cpu" ]; then echo -target-cpu "$cpu"; fi
}
