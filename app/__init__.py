"""tinylytics-tui: a full-screen terminal dashboard for the Tinylytics web-analytics API."""

__version__ = "0.1.0"
