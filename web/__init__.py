"""tgmirror's public mirror: a FastAPI app that reads the archive through ``archiver.store``."""
