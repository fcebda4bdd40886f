"""core.native: a compiled build is loaded only while it matches its sources; otherwise the plain Python runs."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from zhanggui.core import native

ENGINE = "zhanggui.promotions.engine"


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """A copy of the engine's sources and what they import, and a build of it whose files are stand-ins: the
    finder is only asked which file serves which module, never made to load one."""
    src = tmp_path / "src"
    for module in [*native.compiled_modules(ENGINE), *native.imported_modules(ENGINE)]:
        target = native.source_of(module, src)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(native.source_of(module), target)
    build = tmp_path / "build"
    modules = {m: m.replace(".", "/") + native.EXT_SUFFIX for m in native.compiled_modules(ENGINE)}
    for rel in modules.values():
        (build / ENGINE / rel).parent.mkdir(parents=True, exist_ok=True)
        (build / ENGINE / rel).write_bytes(b"")
    imports = native.imported_modules(ENGINE, src)
    manifest = {"fingerprint": native.fingerprint(ENGINE, src, imports), "imports": imports, "modules": modules}
    (build / ENGINE / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    monkeypatch.setattr(sys, "meta_path", list(sys.meta_path))  # what install() adds goes with the test
    monkeypatch.setattr(native, "_MODE", dict(native._MODE))
    monkeypatch.delenv(native.PURE, raising=False)
    return src, build


def test_a_build_that_matches_its_sources_serves_the_compiled_modules(tree):
    src, build = tree
    assert native.install(ENGINE, build, src)
    assert native.mode(ENGINE) == "compiled (mypyc)"
    spec = sys.meta_path[0].find_spec(f"{ENGINE}.search")
    assert spec.origin == str(build / ENGINE / "zhanggui/promotions/engine" / f"search{native.EXT_SUFFIX}")
    assert sys.meta_path[0].find_spec("zhanggui.promotions.spec") is None  # not compiled: found as before


@pytest.mark.parametrize("module", [f"{ENGINE}.search", "zhanggui.promotions.spec"])
def test_an_edited_source_runs_as_plain_python_until_the_next_build(tree, module):
    """An engine module, or a module of ours it imports (mypyc relied on its types), edited after the build."""
    src, build = tree
    before = list(sys.meta_path)
    with native.source_of(module, src).open("a", encoding="utf-8") as file:
        file.write("\n# edited\n")
    assert not native.install(ENGINE, build, src)
    assert sys.meta_path == before
    assert "sources changed" in native.mode(ENGINE)


def test_no_build_or_the_switch_runs_plain_python(tree, monkeypatch):
    src, build = tree
    assert not native.install(ENGINE, build / "elsewhere", src)
    assert "not compiled" in native.mode(ENGINE)
    monkeypatch.setenv(native.PURE, "1")
    assert not native.install(ENGINE, build, src)
    assert native.PURE in native.mode(ENGINE)


def test_a_build_missing_a_module_is_not_used(tree):
    src, build = tree
    (build / ENGINE / "zhanggui/promotions/engine" / f"shop{native.EXT_SUFFIX}").unlink()
    assert not native.install(ENGINE, build, src)
    assert "incomplete" in native.mode(ENGINE)


def test_an_up_to_date_build_is_not_compiled_again(tree):
    src, build = tree
    assert native.build(ENGINE, build, src) == (True, f"{ENGINE}: compiled build up to date")


def test_the_engines_imports_of_ours_are_found():
    assert native.imported_modules(ENGINE) == ["zhanggui.core.money", "zhanggui.promotions.spec"]


def test_the_engine_runs_compiled_where_it_was_built():
    """bin/test builds the engine first (where a C compiler exists): the quotes of the whole suite then come from
    the compiled modules (bin/test runs the engine's tests once more as plain Python)."""
    import zhanggui.promotions.engine.search as search

    try:
        manifest = json.loads((native.BUILD / ENGINE / "manifest.json").read_text(encoding="utf-8"))
    except OSError:
        pytest.skip(f"not built here: {native.mode(ENGINE)}")
    if manifest["fingerprint"] != native.fingerprint(ENGINE, imports=manifest["imports"]):
        pytest.skip("the engine was edited since its build: python -m zhanggui.core.native build")
    if native.mode(ENGINE) == f"plain Python ({native.PURE} is set)":
        pytest.skip(f"{native.PURE} is set")
    assert native.mode(ENGINE) == "compiled (mypyc)"
    assert Path(search.__file__).name == f"search{native.EXT_SUFFIX}"
