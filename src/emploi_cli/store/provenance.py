"""Who writes an entry: EMPLOI_USER, else git's user.name for the ledger's folder, else login."""

from __future__ import annotations

import getpass
import subprocess
from pathlib import Path


def recorded_by(ledger: Path, env: dict[str, str]) -> str:
    if env.get("EMPLOI_USER", "").strip():
        return env["EMPLOI_USER"].strip()
    try:
        found = subprocess.run(
            ["git", "-C", str(ledger.resolve().parent), "config", "user.name"],
            capture_output=True, text=True, timeout=5, check=False)
        if found.returncode == 0 and found.stdout.strip():
            return found.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"
