"""The layers of docs/ARCHITECTURE.md, enforced: data layers never import Textual, the demo
server never imports the client it tests, screens never import the app nor call the API."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

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


# -- the UI's own layering: screens render and send intents ------------------------------------

APP_ROOT = Path(__file__).resolve().parent.parent / "app"
# Every endpoint method of the client (and its paging helper): no UI code calls one.
CLIENT_METHODS = {
    "me",
    "sites",
    "site",
    "hits",
    "grouped_hits",
    "leaderboard",
    "user_journeys",
    "insights",
    "uptime",
    "iter_pages",
}


def module_name(path: Path) -> str:
    parts = path.relative_to(APP_ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every module a file imports, at the top or deferred inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def ui_files(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (APP_ROOT / "ui" / folder).rglob("*.py"))


@pytest.mark.parametrize("path", ui_files("screens", "widgets"), ids=lambda p: p.name)
def test_screens_and_widgets_never_import_the_app(path: Path) -> None:
    assert "app.ui.app" not in imports_of(path)


@pytest.mark.parametrize("path", ui_files("."), ids=lambda p: p.name)
def test_the_ui_never_calls_the_api(path: Path) -> None:
    """Data comes from the session's feeds: no UI module builds a client or calls an endpoint
    on anything called a client or an api."""
    assert "app.api.client" not in imports_of(path)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            target = node.func.value
            name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
            if node.func.attr in CLIENT_METHODS:
                assert name not in ("client", "api"), f"{path.name}:{node.lineno}"


def test_the_ui_has_no_import_cycle() -> None:
    """Deferred imports included: a cycle held apart only by imports inside functions is still
    a cycle."""
    files = {module_name(p): p for p in ui_files(".")}
    graph = {
        name: {m for m in imports_of(path) if m in files and m != name}
        for name, path in files.items()
    }
    seen: set[str] = set()
    path: list[str] = []

    def visit(node: str) -> None:
        if node in path:
            raise AssertionError("import cycle: " + " -> ".join([*path[path.index(node) :], node]))
        if node in seen:
            return
        path.append(node)
        for nxt in sorted(graph[node]):
            visit(nxt)
        path.pop()
        seen.add(node)

    for name in sorted(graph):
        visit(name)
