"""Read archives made elsewhere (Telegram Desktop exports) into the store."""
