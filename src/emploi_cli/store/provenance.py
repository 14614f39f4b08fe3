"""Who writes an entry (EMPLOI_USER, else git's user.name for the ledger's folder, else login),
and the digest a report gives of the ledger it was made from."""

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


def digest(path: Path) -> str:
    """The SHA-256 of a ledger file as it is on disk (what a report says it was made from)."""
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()
