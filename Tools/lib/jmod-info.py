#!/usr/bin/env python3
"""Prints facts of a packed model (.jmod) as shell-style KEY=VALUE lines: layer count, input bytes,
output count, default T, and per mode the plan's arena bytes and the C API's arena size
(joule_arena_size = planned bytes rounded to 16 + 112 bytes of counters per layer).
Reads the layout of Sources/JouleCore/Packed/PackedFormat.swift (version 1).
Usage: python3 Tools/lib/jmod-info.py MODEL.jmod"""
import struct
import sys

data = open(sys.argv[1], "rb").read()
if data[:4] != b"JMOD":
    sys.exit(f"{sys.argv[1]}: not a packed model (bad magic)")
count, table = struct.unpack_from("<II", data, 20)
sections = {}
for s in range(count):
    kind, offset, length, n = struct.unpack_from("<IIII", data, table + 16 * s)
    sections[kind] = offset
model, plans = sections[1], sections[3]
c, h, w, t = struct.unpack_from("<HHHB", data, model)
layers, outputs = struct.unpack_from("<II", data, model + 8)
print(f"LAYERS={layers}\nINPUT_BYTES={c * h * w}\nOUTPUTS={outputs}\nDEFAULT_T={t}")
for mode, name in enumerate(["QNN", "SNN_LAYERWISE", "SNN_STREAMING"]):
    block = plans + 16 + mode * (16 + layers * 24)
    planned = struct.unpack_from("<I", data, block + 4)[0]
    print(f"PLAN_{name}={planned}\nARENA_{name}={((planned + 15) & ~15) + 112 * layers}")
