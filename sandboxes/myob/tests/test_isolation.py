"""The product never imports the sandboxes: they are dev/test tools only."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
_IMPORT = re.compile(r"^\s*(from|import)\s+sandboxes\b", re.MULTILINE)
_NOT_PRODUCT = {"sandboxes", "tests", ".venv", "bench", "docs", ".data", "node_modules"}


def test_no_product_module_imports_sandboxes() -> None:
    offenders = []
    product = [p for p in ROOT.iterdir() if p.is_dir() and p.name not in _NOT_PRODUCT and not p.name.startswith(".")]
    files = [*ROOT.glob("*.py"), *(f for d in product for f in d.rglob("*.py"))]
    for path in files:
        parts = path.relative_to(ROOT).parts
        if "tests" in parts or path.name == "conftest.py":
            continue
        if _IMPORT.search(path.read_text(encoding="utf-8", errors="replace")):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_the_check_sees_an_import() -> None:
    assert _IMPORT.search("from sandboxes.myob import MyobSandboxServer")
    assert _IMPORT.search("import sandboxes")
    assert not _IMPORT.search("from integrations.myob import client  # sandboxes are dev-only")
