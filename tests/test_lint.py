"""ruff, configured in pyproject.toml, finds nothing: pyflakes, pycodestyle, import order, bugbear,
pyupgrade, simplify, blind excepts, and `noqa` comments that no longer silence anything."""
from __future__ import annotations

import subprocess
import sys

from helpers import REPO


def test_ruff_finds_nothing():
    r = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", "concise", str(REPO)],
                       capture_output=True, text=True, cwd=REPO, timeout=120)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]
