"""Keeping data fresh: scheduling, budget, incremental sync and cache (no Textual)."""
