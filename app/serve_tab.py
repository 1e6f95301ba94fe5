"""What one browser tab runs: `python -m app.serve_tab [--demo-url URL] [app options]`.

`tinylytics-tui serve` starts this once per tab, with textual-serve's web driver in the
environment. The options are the app's own, as `serve` was given them: the key is read here from
the same file, environment or config file as there, so it is never part of a command line. With
`--demo-url` the tab uses the demo server that `serve` runs for every tab (one world, one key)
instead of starting one of its own.

Kept apart from `app.serve` so that a tab does not import the web server (aiohttp, jinja) before
its first frame.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from app.cli import build_parser, normalise_color_system, settings_flags
from app.config import ConfigError, load_settings

DEMO_URL_OPTION = "--demo-url"


def main(argv: Sequence[str] | None = None) -> int:
    own = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    own.add_argument(DEMO_URL_OPTION, dest="demo_url")
    ours, rest = own.parse_known_args(argv)
    args = build_parser().parse_args(rest)
    try:
        settings = load_settings(settings_flags(args))
    except ConfigError as exc:
        # serve checked the same settings before it listened: only a file changed since then
        # gets here. The server logs the tab's stderr.
        print(f"tinylytics-tui: {exc.message}", file=sys.stderr)
        return 2

    normalise_color_system(os.environ)
    from app.demo.keys import DEMO_KEY
    from app.logs import setup_file_logging
    from app.ui.app import TinylyticsApp

    setup_file_logging()
    if ours.demo_url is None:
        return TinylyticsApp(settings).run_and_report()
    demo_url: str = ours.demo_url

    def shared_demo() -> tuple[str, str]:
        return demo_url, DEMO_KEY

    return TinylyticsApp(settings, on_demo=shared_demo).run_and_report()


if __name__ == "__main__":
    raise SystemExit(main())
