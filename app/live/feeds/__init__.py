"""One feed per section: what each screen shows, asked for and kept fresh (see app.live.feed)."""
