"""core.native: a compiled build is loaded only while it matches its sources; otherwise the plain Python runs."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from zhanggui.core import build_native, native

GROUP = "pricing"


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """A copy of the engine's sources and what they import, and a build of it whose files are stand-ins: the
    finder is only asked which file serves which module, never made to load one."""
    src = tmp_path / "src"
    for module in [*native.compiled_modules(GROUP), *build_native.imported_modules(GROUP)]:
        target = native.source_of(module, src)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(native.source_of(module), target)
    build = tmp_path / "build"
    modules = {m: m.replace(".", "/") + native.EXT_SUFFIX for m in native.compiled_modules(GROUP)}
    for rel in modules.values():
        (build / GROUP / rel).parent.mkdir(parents=True, exist_ok=True)
        (build / GROUP / rel).write_bytes(b"")
    imports = build_native.imported_modules(GROUP, src)
    manifest = {"fingerprint": native.fingerprint(GROUP, src, imports), "imports": imports, "modules": modules}
    (build / GROUP / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    monkeypatch.setattr(sys, "meta_path", list(sys.meta_path))  # what install() adds goes with the test
    monkeypatch.setattr(native, "_MODE", dict(native._MODE))
    monkeypatch.delenv(native.PURE, raising=False)
    return src, build


def test_a_build_that_matches_its_sources_serves_the_compiled_modules(tree):
    src, build = tree
    assert native.install(GROUP, build, src)
    assert native.mode(GROUP) == "compiled (mypyc)"
    spec = sys.meta_path[0].find_spec("zhanggui.promotions.engine.search")
    assert spec.origin == str(build / GROUP / "zhanggui/promotions/engine" / f"search{native.EXT_SUFFIX}")
    assert sys.meta_path[0].find_spec("zhanggui.promotions.models") is None  # not compiled: found as before


@pytest.mark.parametrize("module", ["zhanggui.promotions.engine.search", "zhanggui.core.text"])
def test_an_edited_source_runs_as_plain_python_until_the_next_build(tree, module):
    """A compiled module, or a module of ours one imports (mypyc relied on its types), edited after the build."""
    src, build = tree
    before = list(sys.meta_path)
    with native.source_of(module, src).open("a", encoding="utf-8") as file:
        file.write("\n# edited\n")
    assert not native.install(GROUP, build, src)
    assert sys.meta_path == before
    assert "sources changed" in native.mode(GROUP)


def test_no_build_or_the_switch_runs_plain_python(tree, monkeypatch):
    src, build = tree
    assert not native.install(GROUP, build / "elsewhere", src)
    assert "not compiled" in native.mode(GROUP)
    monkeypatch.setenv(native.PURE, "1")
    assert not native.install(GROUP, build, src)
    assert native.PURE in native.mode(GROUP)


def test_a_build_missing_a_module_is_not_used(tree):
    src, build = tree
    (build / GROUP / "zhanggui/promotions/engine" / f"shop{native.EXT_SUFFIX}").unlink()
    assert not native.install(GROUP, build, src)
    assert "incomplete" in native.mode(GROUP)


def test_an_up_to_date_build_is_not_compiled_again(tree):
    src, build = tree
    assert build_native.build(GROUP, build, src) == (True, f"{GROUP}: compiled build up to date")


def test_the_modules_of_ours_the_group_imports_are_found():
    assert build_native.imported_modules(GROUP) == ["zhanggui.core.errors", "zhanggui.core.text"]


def test_the_engine_runs_compiled_where_it_was_built():
    """bin/test builds the engine first (where a C compiler exists): the quotes of the whole suite then come from
    the compiled modules (bin/test runs the engine's tests once more as plain Python)."""
    import zhanggui.promotions.engine.search as search

    try:
        manifest = json.loads((native.BUILD / GROUP / "manifest.json").read_text(encoding="utf-8"))
    except OSError:
        pytest.skip(f"not built here: {native.mode(GROUP)}")
    if manifest["fingerprint"] != native.fingerprint(GROUP, native.SRC, manifest["imports"]):
        pytest.skip("the engine was edited since its build: python -m zhanggui.core.build_native")
    if native.mode(GROUP) == f"plain Python ({native.PURE} is set)":
        pytest.skip(f"{native.PURE} is set")
    assert native.mode(GROUP) == "compiled (mypyc)"
    assert Path(search.__file__).name == f"search{native.EXT_SUFFIX}"
