"""tgmirror's core: archive Telegram channels into a database; never imports ``web``."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("tgmirror")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
