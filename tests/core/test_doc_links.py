"""The documents that code and docs cite under docs/ are in the repository, and
nothing cites the wire-protocol notes by a file that is not (docs/protocols.md
holds them)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CITED = re.compile(r"(?<![\w./-])docs/[\w-]+\.md\b")


def _texts() -> dict[str, str]:
    out = subprocess.run(["git", "ls-files", "*.py", "*.md", "*.yaml", "Makefile"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    return {name: (ROOT / name).read_text(errors="replace")
            for name in out.splitlines() if (ROOT / name).is_file()}


def test_every_cited_doc_exists() -> None:
    texts = _texts()
    cited = {(name, doc) for name, text in texts.items() for doc in CITED.findall(text)}
    assert ("README.md", "docs/protocols.md") in cited
    assert {(name, doc) for name, doc in cited if not (ROOT / doc).is_file()} == set()


def test_no_citation_of_protocol_notes_outside_the_repository() -> None:
    absent = "PROTOCOLS" + ".md"  # spelled apart so this file does not cite it
    assert [name for name, text in _texts().items() if absent in text] == []
