"""The README's quickstart runs verbatim (extracted from README.md, run from the repository
root in a fresh interpreter)."""

from __future__ import annotations

import re
import subprocess
import sys

from support import BINDING_DIR, REPO_ROOT


def quickstart() -> str:
    text = (BINDING_DIR / "README.md").read_text()
    m = re.search(r"<!-- quickstart[^>]*-->\s*```python\n(.*?)```", text, re.DOTALL)
    assert m, "README.md has no quickstart block after the '<!-- quickstart' marker"
    return m.group(1)


def test_readme_quickstart() -> None:
    out = subprocess.run(
        [sys.executable, "-c", quickstart()], cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "608400 samples imported", out.stdout
    # wide frame: 1,200 scrapes x node_load1/5/15; 507 series + room_temperature
    assert lines[-1].startswith("(1200, 3) 508 ['go_gc_duration_seconds', "), out.stdout
    # one line per idle CPU: "<cpu> 1200 <last value>"
    assert any(re.fullmatch(r"\d+ 1200 [0-9.]+", ln) for ln in lines), out.stdout
