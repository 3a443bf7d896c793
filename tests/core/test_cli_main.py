"""The CLI loads only the named subcommand, so each service stays lean."""

from __future__ import annotations

import subprocess
import sys

import pytest

from warmstart.cli.main import COMMANDS, build_parser

PROBE = """
import sys
from warmstart.cli.main import build_parser
build_parser(["extender", "serve"])
print(sorted(m for m in ("forecaster", "provisioner", "agent", "extender") if m in sys.modules))
"""


def test_naming_a_subcommand_imports_only_its_service():
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['extender']"


def test_help_lists_every_subcommand(capsys):
    with pytest.raises(SystemExit):
        build_parser([]).parse_args(["--help"])
    listed = capsys.readouterr().out
    assert all(name in listed for name in COMMANDS)
