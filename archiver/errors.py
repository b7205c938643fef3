"""The exceptions tgmirror raises for failures a user can act on.

Each class names one such failure; the CLI turns any of them into one line and exit code 1,
the web app into an error page or JSON. Anything else is a bug and is allowed to show a traceback.

    TgmirrorError
    ├── ConfigError          the config file or an environment variable is wrong
    ├── DatabaseError        the database cannot be opened, migrated or is of a newer version
    ├── ChannelRefError      a channel reference (@name, t.me link, id) cannot be parsed or resolved
    ├── NotLoggedInError     no Telegram session: run `tgmirror login`
    ├── LoginError           Telegram refused the phone number, the code or the password
    ├── ImportFormatError    an export file to import is malformed (names file and message)
    ├── ExportError          an export cannot be written
    ├── MediaStoreError      the media directory cannot be written (disk full, permissions)
    ├── SearchQueryError     a search query cannot be understood (says how to write it)
    └── EvidenceError        the archive key cannot be read, or an evidence bundle is unusable
"""

from __future__ import annotations


class TgmirrorError(Exception):
    """Base of every error a user can act on; ``str(err)`` is the one line shown to them."""


class ConfigError(TgmirrorError):
    """The config file, a config value or a config environment variable is wrong."""


class DatabaseError(TgmirrorError):
    """The database cannot be opened or migrated."""


class ChannelRefError(TgmirrorError):
    """A channel reference cannot be parsed, or Telegram does not know it."""


class NotLoggedInError(TgmirrorError):
    """There is no authorised Telegram session yet."""


class LoginError(TgmirrorError):
    """Telegram refused the phone number, the code or the password."""


class ImportFormatError(TgmirrorError):
    """A file given to ``tgmirror import`` is not a well-formed Telegram Desktop export."""


class ExportError(TgmirrorError):
    """An export cannot be written."""


class MediaStoreError(TgmirrorError):
    """A media file cannot be stored."""


class SearchQueryError(TgmirrorError):
    """A search query has nothing searchable in it, or is too long."""


class EvidenceError(TgmirrorError):
    """The archive's signing key cannot be read or made, or an evidence bundle is unusable."""
