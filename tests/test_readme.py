"""The README's tour is a script that runs: each line, as written, from a fresh clone."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def tour() -> str:
    """The code block under the README's "A tour" heading."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## A tour"):]
    return re.search(r"```sh\n(.*?)```", section, re.S).group(1)


@pytest.mark.skipif(shutil.which("git") is None or not (REPO / ".git").exists(),
                    reason="needs git and a git checkout")
def test_the_tour_runs_as_written_from_a_fresh_clone(tmp_path):
    clone = tmp_path / "emploi"
    subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True, timeout=60)
    shipped = (clone / "data" / "conventions.toml").read_bytes()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("EMPLOI_") and k not in ("COLUMNS", "TERMINAL_WIDTH")}
    env.update(PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
               HOME=str(tmp_path), XDG_CACHE_HOME=str(tmp_path / "cache"))
    done = subprocess.run(["bash", "-e", "-u", "-o", "pipefail", "-c", tour()], cwd=clone,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (clone / "data" / "conventions.toml").read_bytes() == shipped
    assert (clone / "c1.csv").read_text().startswith("id,date,kind,subject,")
    assert "void" in (clone / "my.toml").read_text()
