"""deploy/Dockerfile: a pinned base, the locked dependencies, no compiler, not root.

The image cannot be built here (no container runtime, no registry); what the
file promises is checked instead, and the commands it is run with are checked
against the CLI in test_chart.py.
"""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = (REPO / "deploy" / "Dockerfile").read_text()
DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    lines = [ln.strip() for ln in text.splitlines()
             if ln.strip() and not ln.lstrip().startswith("#")]
    return [(ln.split(None, 1)[0].upper(), ln.split(None, 1)[1]) for ln in lines]


def stages() -> list[list[tuple[str, str]]]:
    out: list[list[tuple[str, str]]] = []
    for op, args in instructions():
        if op == "FROM":
            out.append([])
        if out:
            out[-1].append((op, args))
    return out


def test_every_base_is_pinned_by_digest() -> None:
    args = dict(a.split("=", 1) for op, a in instructions() if op == "ARG" and "=" in a)
    froms = [a.split()[0] for op, a in instructions() if op == "FROM"]
    assert len(froms) == 2
    for image in froms:
        resolved = args.get(image.strip("${}"), image)
        assert DIGEST.search(resolved), resolved


def test_dependencies_come_from_the_lock_as_hashed_wheels() -> None:
    runs = " ".join(a for op, a in stages()[0] if op == "RUN")
    assert "-r requirements.lock" in runs and "--require-hashes" in runs
    assert "--only-binary=:all:" in runs
    assert "--no-deps" in runs and "--no-build-isolation" in runs  # the project adds nothing


def test_the_final_image_installs_nothing_and_runs_as_a_numeric_non_root_user() -> None:
    final = stages()[-1]
    assert [op for op, _ in final if op == "RUN"] == []  # only the build stage's venv is copied
    commands = " ".join(a for _, a in instructions())
    assert not re.search(r"\b(gcc|g\+\+|build-essential|clang|make)\b", commands)
    (user,) = (a for op, a in final if op == "USER")
    uid, _, gid = user.partition(":")
    assert uid.isdigit() and int(uid) != 0 and (not gid or int(gid) != 0)
    chart_helpers = (REPO / "deploy" / "helm" / "warmstart" / "templates" / "_helpers.tpl")
    assert f"runAsUser: {uid}" in chart_helpers.read_text()


def test_one_image_whose_command_picks_the_role() -> None:
    final = dict(stages()[-1])
    assert final["ENTRYPOINT"] == '["warmstart"]'
