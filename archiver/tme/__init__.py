"""Telegram's public web preview (t.me/s) as a second source: parsing its pages into rows."""
