"""Shared by the API tests: the contract's example responses, verbatim, as JSON files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> Any:
    """A fresh copy of one example response of the contract (tests may mutate it)."""
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
