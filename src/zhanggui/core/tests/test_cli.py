import subprocess
import sys

import pytest

from zhanggui import cli


def test_usage_lists_our_commands(capsys):
    cli.main(["--help"])
    out = capsys.readouterr().out
    for name in ("demo", "serve", "import-catalog", "export-catalog", "check-ledger"):
        assert f"  {name}" in out


@pytest.mark.django_db
def test_hyphenated_names_run_the_management_command(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["check-ledger", "--help"])
    assert exit_info.value.code == 0
    assert "usage: zhanggui check_ledger" in capsys.readouterr().out


def test_console_script_runs_in_a_fresh_process():
    result = subprocess.run([sys.executable, "-m", "zhanggui", "--help"], capture_output=True, text=True, check=False)
    assert result.returncode == 0
    assert "usage: zhanggui COMMAND" in result.stdout
