"""The apps' layering holds: the import-linter contract of pyproject.toml is there and kept (bin/test also runs
`lint-imports`; this says which layer broke where a test run is read)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from importlinter.cli import lint_imports

PYPROJECT = Path(__file__).resolve().parents[4] / "pyproject.toml"


def test_the_layers_contract_puts_core_at_the_bottom_and_the_desk_above_what_it_reads():
    config = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["importlinter"]
    (contract,) = [c for c in config["contracts"] if c["type"] == "layers"]
    layers = [name.strip() for layer in contract["layers"] for name in layer.split("|")]
    assert layers[-1] == "core"
    assert layers.index("desk") < layers.index("inventory") < layers.index("catalog") < layers.index("core")
    assert contract["exhaustive"] is True  # a new app breaks the contract until it is given its layer


def test_no_app_imports_one_above_it(capsys):
    assert lint_imports(config_filename=str(PYPROJECT), no_cache=True, no_logo=True) == 0, capsys.readouterr().out
