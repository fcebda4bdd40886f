"""Compiled modules: the pricing engine built ahead of time with mypyc, and loaded only while its sources are the
ones it was built from (ADR 0005).

The Python files stay the one truth. `python -m zhanggui.core.build_native` compiles each group of modules
(GROUPS) into .build/native/<group>/ (never beside the sources) with a manifest holding the fingerprint of the
sources it was built from: the compiled modules and every module of ours they import (mypyc may rely on their
types). `install_all()`, called when the zhanggui package is first imported (before any of those modules is),
puts a finder in front of the import system for a group's modules when its fingerprint still matches;
otherwise nothing changes and the plain Python runs. So an edited module is never shadowed by a stale build, a
machine without a C compiler runs the same code more slowly, and ZHANGGUI_PURE_PYTHON=1 turns the compiled
modules off.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import io
import json
import os
import shutil
import sys
import sysconfig
import tempfile
from contextlib import redirect_stderr, redirect_stdout
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


def imported_modules(group: str, src: Path = SRC) -> list[str]:
    """The modules of ours (zhanggui.*, outside the group) that the compiled modules import: their changes must
    rebuild it too."""
    compiled = set(GROUPS[group])
    found: set[str] = set()
    for module in compiled_modules(group):
        tree = ast.parse(source_of(module, src).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                if name.startswith("zhanggui.") and name not in compiled:
                    found.add(name)
    return sorted(found)


def fingerprint(group: str, src: Path = SRC, imports: list[str] | None = None) -> str:
    """sha256 of the sources a build of `group` depends on, and of the interpreter it is for. `imports`: the
    modules of ours they import, as a build found them (a change to that list is a change to a source)."""
    digest = hashlib.sha256(EXT_SUFFIX.encode())
    imports = imported_modules(group, src) if imports is None else imports
    for module in [*compiled_modules(group), *imports]:
        digest.update(b"\0" + module.encode() + b"\0")
        digest.update(source_of(module, src).read_bytes())
    return digest.hexdigest()


class _Finder(importlib.abc.MetaPathFinder):
    """Serves the compiled modules (and mypyc's shared library) of one build, by name."""

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


def compiler_missing() -> str | None:
    """Why no extension can be built here (no C compiler, no Python headers), or None."""
    cc = (sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(cc) is None:
        return f"no C compiler ({cc})"
    if not (Path(sysconfig.get_paths()["include"]) / "Python.h").is_file():
        return "no Python headers (Python.h)"
    try:
        import mypyc.build  # noqa: F401
        import setuptools  # noqa: F401
    except ImportError as exc:
        return f"mypyc or setuptools is not installed ({exc.name})"
    return None


def build(group: str, build_dir: Path = BUILD, src: Path = SRC) -> tuple[bool, str]:
    """Compile `group` into build_dir unless its build is up to date; (built or up to date, what happened)."""
    imports = imported_modules(group, src)
    wanted = fingerprint(group, src, imports)  # before compiling: sources edited meanwhile never match this build
    target = build_dir / group
    try:
        if json.loads((target / "manifest.json").read_text(encoding="utf-8")).get("fingerprint") == wanted:
            return True, f"{group}: compiled build up to date"
    except (OSError, ValueError):
        pass
    missing = compiler_missing()
    if missing:
        return False, f"{group}: not compiled, {missing}: it runs as plain Python (slower, same results)"
    from mypyc.build import mypycify
    from setuptools import setup

    with tempfile.TemporaryDirectory(prefix="zhanggui-native-") as tmp:
        out, log = Path(tmp) / "lib", io.StringIO()
        here = os.getcwd()
        os.chdir(src)  # module names come from the paths under src
        try:
            paths = [str(source_of(m, src).relative_to(src)) for m in compiled_modules(group)]
            options = ["--ignore-missing-imports", "--follow-imports=silent"]
            with redirect_stdout(log), redirect_stderr(log):
                extensions = mypycify([*options, *paths], opt_level="3", target_dir=str(Path(tmp) / "c"))
                setup(
                    name="zhanggui-native",
                    ext_modules=extensions,
                    script_args=["-q", "build_ext", "--build-lib", str(out), "--build-temp", str(Path(tmp) / "t")],
                )
        except (Exception, SystemExit) as exc:  # mypy's type errors end in SystemExit
            return False, f"{group}: the build failed ({exc!r}):\n{log.getvalue()[-4000:]}"
        finally:
            os.chdir(here)
        modules = {}
        for file in sorted(out.rglob("*" + EXT_SUFFIX)):
            rel = file.relative_to(out).as_posix()
            modules[rel[: -len(EXT_SUFFIX)].replace("/", ".")] = rel
        if not set(compiled_modules(group)) <= set(modules):
            return False, f"{group}: the build made {sorted(modules)}, not every module"
        staged = build_dir / f".{group}.new"
        shutil.rmtree(staged, ignore_errors=True)
        for rel in modules.values():
            (staged / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(out / rel, staged / rel)
        manifest = {
            "group": group,
            "fingerprint": wanted,
            "imports": imports,
            "ext_suffix": EXT_SUFFIX,
            "modules": modules,
        }
        (staged / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        shutil.rmtree(target, ignore_errors=True)
        staged.rename(target)
    return True, f"{group}: compiled with mypyc into {target}"


def main(argv: list[str] | None = None) -> int:
    """python -m zhanggui.core.build_native [--strict]: compile every group unless up to date; --strict exits 1
    when a group that could be compiled here was not (bin/test: a type error in the engine fails the run)."""
    args = sys.argv[1:] if argv is None else argv
    if any(arg != "--strict" for arg in args):
        print("usage: python -m zhanggui.core.build_native [--strict]", file=sys.stderr)
        return 2
    status = 0
    for group in GROUPS:
        ok, message = build(group)
        print(message)
        if not ok and "--strict" in args and compiler_missing() is None:
            status = 1
    return status
