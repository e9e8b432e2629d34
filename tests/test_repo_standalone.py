"""The repository stands alone: a user's clone has no folders beside it, so nothing may reach outside it."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from django.conf import settings

#: A path that leaves the clone for a sibling folder (the reference folder beside the clone, by any spelling).
OUTSIDE = re.compile(r"\.\./shared|parent\s*/\s*[\"']shared[\"']|[\"']shared[\"']\s*/")


def _tracked_files() -> list[Path]:
    base = Path(settings.BASE_DIR)
    out = subprocess.run(["git", "ls-files"], cwd=base, capture_output=True, text=True, check=True).stdout
    return [base / name for name in out.splitlines()]


def test_no_tracked_file_reads_a_sibling_folder() -> None:
    offenders = []
    for path in _tracked_files():
        if path.suffix not in {".py", ".sh", ".toml", ".cfg", ".ini", ""} and path.name not in {"Makefile", "run"}:
            continue
        if not path.is_file() or path == Path(__file__):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        offenders += [f"{path.name}:{n}" for n, line in enumerate(text.splitlines(), 1) if OUTSIDE.search(line)]
    assert offenders == []
