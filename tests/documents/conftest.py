from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    """Every test stores its files in its own folder (Django's default storage, file system)."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"
