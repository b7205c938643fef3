"""Write a channel's history out: Telegram Desktop's JSON, JSONL, a static HTML site."""
