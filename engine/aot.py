"""Build the kernels ahead of time: ``python -m identigraph.engine.aot`` (``make install``).

Numba's ``pycc`` compiles the same numba source (engine/replay_kernel.py,
engine/group_kernel.py) into a C extension beside engine/kernels.py, named for the
source's digest; a replay then loads it without numba (~100 MB and ~0.6 s less per
process). It needs a C compiler; without one, or when the package folder is read-only,
the kernels stay numba's and this says why in one line (exit 0: nothing is lost but time).
"""

from __future__ import annotations

import importlib
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from identigraph.engine.kernels import SIGNATURES, build_name, current_build

_HERE = Path(__file__).resolve().parent


def build(directory: Path = _HERE) -> Path:
    """Compile the kernels into ``directory`` (this package's by default) and remove builds
    of older source there; returns the extension's path. Written under a temporary name
    and renamed, so a process loading kernels meanwhile sees the old build or the new."""
    pycc: Any = importlib.import_module("numba.pycc")  # untyped
    name = build_name()
    with tempfile.TemporaryDirectory(dir=directory, prefix=".aot-") as scratch:
        cc = pycc.CC(name)
        cc.output_dir = scratch
        cc.verbose = False
        cc.target_cpu = "host"  # built where it runs (make install): this CPU's instructions
        for export, (module, func, signature) in SIGNATURES.items():
            kernel = getattr(importlib.import_module(f"identigraph.engine.{module}"), func)
            cc.export(export, signature)(kernel.py_func)
        cc.compile()
        (built,) = Path(scratch).glob(f"{name}.*")
        target = directory / built.name
        built.replace(target)
    for old in directory.glob("_kernels_*"):
        if old.name.split(".")[0] != name:
            old.unlink(missing_ok=True)
    return target


def main() -> int:
    """Build (unless this source's build is already there), or say in one line why the
    kernels stay numba's. ``make install`` runs it every time: the digest, not a list of
    files in the Makefile, says whether the build is current."""
    if current_build() is not None:
        print(f"identigraph: kernels built ahead of time: {build_name()} is up to date")
        return 0
    if shutil.which("cc") is None and shutil.which("gcc") is None:
        print("identigraph: no C compiler (cc): the replay kernels stay numba's "
              "(~100 MB and ~0.6 s more per load)", file=sys.stderr)
        return 0
    try:
        path = build()
    except Exception as exc:  # any failure leaves numba's kernels, which work
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"identigraph: the kernels were not built ahead of time ({first}); "
              "they stay numba's", file=sys.stderr)
        return 0
    print(f"identigraph: kernels built ahead of time: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
