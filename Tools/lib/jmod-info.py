#!/usr/bin/env python3
"""Prints facts of a packed model (.jmod) as shell-style KEY=VALUE lines: layer count, input bytes,
output count, default T, and per mode the plan's arena bytes and the C API's arena size
(joule_arena_size). The reader is joule_format.jmod (Tools/format); standard library only.
Usage: python3 Tools/lib/jmod-info.py MODEL.jmod"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "format"))
from joule_format import FormatError, jmod  # noqa: E402

if len(sys.argv) != 2:
    sys.exit(__doc__.rsplit("\n", 1)[-1])
try:
    m = jmod.read(sys.argv[1])
except (OSError, FormatError) as e:
    sys.exit(str(e) if isinstance(e, FormatError) else f"{sys.argv[1]}: {e.strerror}")
print(f"LAYERS={len(m.layers)}\nINPUT_BYTES={m.input_bytes}\nOUTPUTS={m.outputs}\nDEFAULT_T={m.default_T}")
for mode, plan in zip(jmod.MODES, m.plans):
    print(f"PLAN_{mode}={plan.arena_bytes}\nARENA_{mode}={m.arena_size(mode)}")
