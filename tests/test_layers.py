"""The layers of DESIGN.md, enforced: data layers never import Textual, the demo server never
imports the client it tests."""

from __future__ import annotations

import subprocess
import sys

import pytest


def imported_after(module: str) -> set[str]:
    code = f"import sys, {module}; print('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    return set(out.split())


@pytest.mark.parametrize(
    "module", ["app.api.client", "app.live", "app.demo", "app.config", "app.cli"]
)
def test_data_layers_do_not_import_textual(module: str) -> None:
    loaded = imported_after(module)
    assert not {m for m in loaded if m == "textual" or m.startswith("textual.")}


def test_demo_server_does_not_import_the_client() -> None:
    loaded = imported_after("app.demo")
    assert not {m for m in loaded if m.startswith(("app.api", "app.ui", "app.live"))}


def test_api_does_not_reach_up() -> None:
    loaded = imported_after("app.api.client")
    assert not {m for m in loaded if m.startswith(("app.ui", "app.live", "app.demo"))}


def test_a_start_paints_before_loading_http_and_the_api_models() -> None:
    """What `tinylytics-tui` imports before its first frame (the app, its first two screens):
    not the HTTP stack, pydantic and the models, the TOML writer, the demo, the sections 3-6."""
    loaded = imported_after("app.cli, app.ui.app")
    assert "app.ui.screens.hits" in loaded  # the check itself looks at the right thing
    late = {"httpx", "httpcore", "pydantic", "app.api.client", "app.api.models", "tomlkit"}
    late |= {"app.demo.server", "aiohttp"}
    late |= {f"app.ui.screens.{name}" for name in ("leaderboard", "journeys", "uptime", "insights")}
    assert not loaded & late


def test_the_demo_key_does_not_load_the_demo_server() -> None:
    loaded = imported_after("app.demo; app.demo.DEMO_KEY")
    assert "app.demo.keys" in loaded
    assert not loaded & {"app.demo.server", "aiohttp"}


@pytest.mark.parametrize("package", ["app.api", "app.demo"])
def test_every_exported_name_loads(package: str) -> None:
    """The packages load their modules on first use: each name in __all__ must get there."""
    code = (
        f"import {package} as p; missing = [n for n in p.__all__ if getattr(p, n, None) is None]; "
        "print(missing)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    assert out.strip() == "[]"
