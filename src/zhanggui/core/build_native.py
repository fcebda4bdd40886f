"""Building the compiled modules of core/native.py (ADR 0005): `python -m zhanggui.core.build_native [--strict]`.

Apart from the loader, which every process imports (`import zhanggui`), so that starting the desk reads only a
manifest and hashes the sources: mypy, setuptools and the compiler are asked here alone."""

from __future__ import annotations

import ast
import io
import json
import os
import shutil
import sys
import sysconfig
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from zhanggui.core.native import BUILD, EXT_SUFFIX, GROUPS, SRC, compiled_modules, fingerprint, source_of


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


if __name__ == "__main__":
    sys.exit(main())
