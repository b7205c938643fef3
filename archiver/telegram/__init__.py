"""Everything that speaks Telethon: the client, channel references, object conversion."""
