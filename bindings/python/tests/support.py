"""Constants and helpers shared by the tests (tests/ is on sys.path under pytest)."""

from __future__ import annotations

import os
from pathlib import Path

import vmengine

HERE = Path(__file__).resolve().parent
BINDING_DIR = HERE.parent
REPO_ROOT = BINDING_DIR.parent.parent
CAPTURE = REPO_ROOT / "examples" / "data" / "node_exporter_1s_1200.prom.zst"

#: 2026-01-01T00:00:00Z in ms, the W1 epoch.
T0 = 1767225600000


def installed_check() -> None:
    """With VMENGINE_EXPECT_INSTALLED=1 (test.sh), the package must come from site-packages."""
    if os.environ.get("VMENGINE_EXPECT_INSTALLED") == "1":
        assert "site-packages" in vmengine.__file__, vmengine.__file__
