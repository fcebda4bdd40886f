"""Compiled modules: the pricing engine built ahead of time with mypyc, and loaded only while its sources are the
ones it was built from (ADR 0005).

The Python files stay the one truth. `python -m zhanggui.core.build_native` (core/build_native.py) compiles
each group of modules (GROUPS) into .build/native/<group>/ (never beside the sources) with a manifest holding
the fingerprint of the sources it was built from: the compiled modules and every module of ours they import
(mypyc may rely on their types). `install_all()`, called when the zhanggui package is first imported (before
any of those modules is), puts a finder in front of the import system for a group's modules when its
fingerprint still matches; otherwise nothing changes and the plain Python runs. So an edited module is never
shadowed by a stale build, a machine without a C compiler runs the same code more slowly, and
ZHANGGUI_PURE_PYTHON=1 turns the compiled modules off.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import json
import os
import sys
import sysconfig
from pathlib import Path
from types import ModuleType

SRC = Path(__file__).resolve().parents[2]  # the directory holding the zhanggui package
BUILD = Path(os.environ.get("ZHANGGUI_NATIVE_DIR", SRC.parent / ".build" / "native"))
PURE = "ZHANGGUI_PURE_PYTHON"  # set (to anything but "" or "0") to run the plain Python
EXT_SUFFIX: str = sysconfig.get_config_var("EXT_SUFFIX") or ".so"

# The groups compiled together, by name: their modules (a package's __init__ stays Python). The pricing engine, the
# records it reads most (spec: promotions, carts, lines) and the money arithmetic it calls (largest remainder), so
# that none of its steps runs as plain Python.
GROUPS: dict[str, tuple[str, ...]] = {
    "pricing": (
        "zhanggui.core.money",
        "zhanggui.promotions.spec",
        *(
            f"zhanggui.promotions.engine.{name}"
            for name in (
                "allocation",
                "basket",
                "caps",
                "common",
                "coupons",
                "items",
                "near_misses",
                "pricing",
                "results",
                "search",
                "shop",
            )
        ),
    ),
}

_MODE: dict[str, str] = {}  # group → what install() found, for mode()


def source_of(module: str, src: Path = SRC) -> Path:
    return src.joinpath(*module.split(".")).with_suffix(".py")


def compiled_modules(group: str) -> list[str]:
    return list(GROUPS[group])


def fingerprint(group: str, src: Path, imports: list[str]) -> str:
    """sha256 of the sources a build of `group` depends on, and of the interpreter it is for. `imports`: the
    modules of ours they import, as the build found them (a change to that list is a change to a source)."""
    digest = hashlib.sha256(EXT_SUFFIX.encode())
    for module in [*compiled_modules(group), *imports]:
        digest.update(b"\0" + module.encode() + b"\0")
        digest.update(source_of(module, src).read_bytes())
    return digest.hexdigest()


class _Finder:
    """Serves the compiled modules (and mypyc's shared library) of one build, by name: a meta path finder (the
    protocol is find_spec alone; importlib.abc would cost every process start 20 ms of imports)."""

    def __init__(self, files: dict[str, Path]):
        self.files = files

    def find_spec(self, fullname: str, path=None, target: ModuleType | None = None):
        file = self.files.get(fullname)
        if file is None:
            return None
        loader = importlib.machinery.ExtensionFileLoader(fullname, str(file))
        return importlib.util.spec_from_file_location(fullname, file, loader=loader)


def install(group: str, build: Path = BUILD, src: Path = SRC) -> bool:
    """Load `group`'s modules compiled when its build matches its sources; True when it does."""
    if os.environ.get(PURE, "") not in ("", "0"):
        _MODE[group] = f"plain Python ({PURE} is set)"
        return False
    manifest_file = build / group / "manifest.json"
    try:
        manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        _MODE[group] = "plain Python (not compiled: python -m zhanggui.core.build_native)"
        return False
    files = {name: build / group / rel for name, rel in manifest.get("modules", {}).items()}
    try:
        current = fingerprint(group, src, list(manifest.get("imports", [])))
    except OSError:  # a module it imported is gone
        current = ""
    if manifest.get("fingerprint") != current:
        _MODE[group] = "plain Python (the sources changed since the build: python -m zhanggui.core.build_native)"
        return False
    if not set(compiled_modules(group)) <= set(files) or not all(f.is_file() for f in files.values()):
        _MODE[group] = "plain Python (the build is incomplete)"
        return False
    sys.meta_path.insert(0, _Finder(files))
    _MODE[group] = "compiled (mypyc)"
    return True


def install_all() -> None:
    """install() every group (the zhanggui package does, when first imported)."""
    for group in GROUPS:
        install(group)


def mode(group: str) -> str:
    """How `group` runs in this process: "compiled (mypyc)" or "plain Python (why)"."""
    return _MODE.get(group, "plain Python (not imported yet)")
