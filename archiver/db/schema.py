"""Every table of the archive, as SQLAlchemy Core objects; Alembic migrations are written from it.

Conventions: times are integer Unix seconds (UTC); Telegram ids are 64-bit; JSON columns hold
lists/dicts in the shapes documented at each column; ``raw`` columns keep Telegram's TL bytes
so that later versions can re-derive what today's code does not read.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import TSVECTOR

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# SQLite makes an INTEGER PRIMARY KEY the rowid (fast, explicit); elsewhere a 64-bit integer.
RowId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Json = sa.JSON(none_as_null=True)

channels = sa.Table(
    "channels",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),  # Telegram channel id
    sa.Column("access_hash", sa.BigInteger, nullable=True),
    sa.Column("username", sa.String, nullable=True),  # current; history in channel_names
    sa.Column("title", sa.String, nullable=False, server_default=""),
    sa.Column("about", sa.Text, nullable=False, server_default=""),
    sa.Column("photo_sha256", sa.String(64), nullable=True),
    sa.Column("kind", sa.String(16), nullable=False, server_default="channel"),
    # channel | megagroup | discussion (a linked comments group)
    sa.Column("linked_chat_id", sa.BigInteger, nullable=True),
    sa.Column("participants", sa.Integer, nullable=True),
    sa.Column("created_date", sa.BigInteger, nullable=True),
    sa.Column("status", sa.String(16), nullable=False, server_default="active"),
    # active | suspect (signal seen, not yet confirmed) | erased
    sa.Column("status_reason", sa.String(32), nullable=True),
    # deleted | private | banned | restricted | username_moved | username_gone
    sa.Column("status_detail", sa.Text, nullable=True),
    sa.Column("status_changed_at", sa.BigInteger, nullable=True),
    sa.Column("erased_at", sa.BigInteger, nullable=True),
    sa.Column("restriction", Json, nullable=True),  # [{platform, reason, text}]
    sa.Column("publish", sa.String(16), nullable=False, server_default="default"),
    # default (follow web.publish) | always | never
    sa.Column("hidden", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("following", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("source", sa.String(16), nullable=False, server_default="telegram"),
    sa.Column("added_at", sa.BigInteger, nullable=False),
    sa.Column("checked_at", sa.BigInteger, nullable=True),
    sa.Column("raw", sa.LargeBinary, nullable=True),
)

channel_names = sa.Table(
    "channel_names",
    metadata,
    sa.Column("id", RowId, primary_key=True),
    sa.Column(
        "channel_id",
        sa.BigInteger,
        sa.ForeignKey("channels.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("kind", sa.String(16), nullable=False),  # username | title
    sa.Column("value", sa.String, nullable=False),
    sa.Column("value_key", sa.String, nullable=False),  # lower-cased, for username lookups
    sa.Column("first_seen_at", sa.BigInteger, nullable=False),
    sa.Column("last_seen_at", sa.BigInteger, nullable=False),
    sa.UniqueConstraint("channel_id", "kind", "value"),
    sa.Index("ix_channel_names_kind_value_key", "kind", "value_key"),
)

messages = sa.Table(
    "messages",
    metadata,
    sa.Column("id", RowId, primary_key=True),
    sa.Column(
        "channel_id",
        sa.BigInteger,
        sa.ForeignKey("channels.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("msg_id", sa.BigInteger, nullable=False),
    sa.Column("date", sa.BigInteger, nullable=False),
    sa.Column("edit_date", sa.BigInteger, nullable=True),
    sa.Column("text", sa.Text, nullable=False, server_default=""),
    sa.Column("entities", Json, nullable=True),
    # [{type, offset, length, url?, language?, user_id?, document_id?, collapsed?}] (UTF-16 units)
    sa.Column("media_kind", sa.String(16), nullable=True),
    # photo video gif round voice audio document sticker poll geo venue geolive contact
    # webpage dice game invoice story unsupported
    sa.Column(
        "media", Json, nullable=True
    ),  # kind-specific details (poll answers, geo, webpage, file meta)
    sa.Column("grouped_id", sa.BigInteger, nullable=True),
    sa.Column("reply_to_msg_id", sa.BigInteger, nullable=True),
    sa.Column("reply_to", Json, nullable=True),  # {msg_id, top_id, peer_id, quote_text}
    sa.Column(
        "fwd_from", Json, nullable=True
    ),  # {from_id, from_type, from_name, date, channel_post, post_author}
    sa.Column("views", sa.Integer, nullable=True),
    sa.Column("forwards", sa.Integer, nullable=True),
    sa.Column("replies", sa.Integer, nullable=True),
    sa.Column("reactions", Json, nullable=True),  # [{emoji | custom_emoji_id | paid, count}]
    # {counter: edit_date (0: unedited) of the capture it came from}; NULL when all come from
    # the current version (archiver.store.messages: counters never move to an older capture)
    sa.Column("counter_versions", Json, nullable=True),
    sa.Column("post_author", sa.String, nullable=True),
    sa.Column(
        "from_id", sa.BigInteger, nullable=True
    ),  # sender (comments, groups); None for channel posts
    sa.Column(
        "action", Json, nullable=True
    ),  # service message: {type, ...}; None for ordinary posts
    sa.Column(
        "thread_channel_id", sa.BigInteger, nullable=True
    ),  # comments: the channel post they answer
    sa.Column("thread_msg_id", sa.BigInteger, nullable=True),
    sa.Column("hidden", sa.Boolean, nullable=False, server_default=sa.false()),  # operator takedown
    sa.Column(
        "deleted_at", sa.BigInteger, nullable=True
    ),  # tombstone: deleted on Telegram, detected then
    sa.Column("deleted_how", sa.String(16), nullable=True),  # update | reconcile | import
    sa.Column("first_seen_at", sa.BigInteger, nullable=False),
    sa.Column("last_seen_at", sa.BigInteger, nullable=False),
    sa.Column(
        "captured_at", sa.BigInteger, nullable=False
    ),  # when the current version was captured
    sa.Column(
        "source", sa.String(16), nullable=False, server_default="telegram"
    ),  # telegram | import
    sa.Column("extra", Json, nullable=True),  # fields read from imports that have no column
    sa.Column("raw", sa.LargeBinary, nullable=True),
    sa.UniqueConstraint("channel_id", "msg_id"),
    sa.Index("ix_messages_channel_id_date", "channel_id", "date"),
    sa.Index("ix_messages_channel_id_grouped_id", "channel_id", "grouped_id"),
    sa.Index("ix_messages_thread", "thread_channel_id", "thread_msg_id"),
)

message_revisions = sa.Table(
    "message_revisions",
    metadata,
    # A superseded version of a message; the current version is the messages row itself.
    sa.Column("id", RowId, primary_key=True),
    sa.Column(
        "message_id",
        sa.BigInteger,
        sa.ForeignKey("messages.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("captured_at", sa.BigInteger, nullable=False),  # when this version was first captured
    sa.Column("superseded_at", sa.BigInteger, nullable=False),  # when the next version was seen
    sa.Column("edit_date", sa.BigInteger, nullable=True),  # Telegram's edit date of this version
    sa.Column("text", sa.Text, nullable=False, server_default=""),
    sa.Column("entities", Json, nullable=True),
    sa.Column("media_kind", sa.String(16), nullable=True),
    sa.Column("media", Json, nullable=True),
    sa.Column("media_sha256", sa.String(64), nullable=True),  # the file this version showed
    sa.Column("raw", sa.LargeBinary, nullable=True),
    sa.Index("ix_message_revisions_message_id", "message_id"),
)

media_files = sa.Table(
    "media_files",
    metadata,
    # One row per distinct file content; the same bytes in two posts are stored once.
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("mime", sa.String, nullable=False, server_default="application/octet-stream"),
    sa.Column("path", sa.String, nullable=False),  # relative to the media directory
    sa.Column("width", sa.Integer, nullable=True),
    sa.Column("height", sa.Integer, nullable=True),
    sa.Column("created_at", sa.BigInteger, nullable=False),
)

message_media = sa.Table(
    "message_media",
    metadata,
    # A downloadable file of a message (its main file, and a thumbnail where Telegram has one).
    sa.Column("id", RowId, primary_key=True),
    sa.Column(
        "message_id",
        sa.BigInteger,
        sa.ForeignKey("messages.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("role", sa.String(8), nullable=False, server_default="main"),  # main | thumb
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("tg_file_id", sa.BigInteger, nullable=True),  # Telegram photo/document id
    sa.Column("file_name", sa.String, nullable=True),
    sa.Column("mime", sa.String, nullable=True),
    sa.Column("size", sa.BigInteger, nullable=True),  # as Telegram declares it
    sa.Column("width", sa.Integer, nullable=True),
    sa.Column("height", sa.Integer, nullable=True),
    sa.Column("duration", sa.Float, nullable=True),
    sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
    # pending | stored | skipped (policy) | failed (will retry) | missing (import without file)
    sa.Column("sha256", sa.String(64), sa.ForeignKey("media_files.sha256"), nullable=True),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("updated_at", sa.BigInteger, nullable=False),
    sa.UniqueConstraint("message_id", "role"),
    sa.Index("ix_message_media_status", "status"),
    sa.Index("ix_message_media_sha256", "sha256"),
)

sync_state = sa.Table(
    "sync_state",
    metadata,
    # Backfill runs as passes from a top id down to ``synced_max_id``; every id at or below
    # ``synced_max_id`` is archived. A pass in progress resumes at ``pass_offset_id``.
    sa.Column(
        "channel_id",
        sa.BigInteger,
        sa.ForeignKey("channels.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    sa.Column("synced_max_id", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("pass_max_id", sa.BigInteger, nullable=True),
    sa.Column("pass_offset_id", sa.BigInteger, nullable=True),
    sa.Column("pts", sa.BigInteger, nullable=True),
    sa.Column("last_sync_at", sa.BigInteger, nullable=True),
    sa.Column("last_update_at", sa.BigInteger, nullable=True),  # last live update or new post seen
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("last_error_at", sa.BigInteger, nullable=True),
    sa.Column("error_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("paused_until", sa.BigInteger, nullable=True),  # long flood wait
    sa.Column("reconcile_cursor", sa.BigInteger, nullable=True),  # old-post deletion sweep position
    sa.Column("reconciled_at", sa.BigInteger, nullable=True),
    sa.Column("signal", sa.String(32), nullable=True),  # erasure signal being confirmed
    sa.Column("signal_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("signal_first_at", sa.BigInteger, nullable=True),
    sa.Column("signal_last_at", sa.BigInteger, nullable=True),
    sa.Column("follow_mode", sa.String(8), nullable=True),  # join | poll, as `run` last decided
    sa.Column("joined_account", sa.String(128), nullable=True),  # the account that joined it
    sa.Column("last_check_at", sa.BigInteger, nullable=True),  # last successful catch-up
)

events = sa.Table(
    "events",
    metadata,
    # The channel's story: added, renamed, username_changed, photo_changed, suspect, erased,
    # restored, imported, media_failed ...
    sa.Column("id", RowId, primary_key=True),
    sa.Column(
        "channel_id",
        sa.BigInteger,
        sa.ForeignKey("channels.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("at", sa.BigInteger, nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("detail", Json, nullable=True),
    sa.Index("ix_events_channel_id_at", "channel_id", "at"),
)

copy_progress = sa.Table(
    "copy_progress",
    metadata,
    # Written by ``tgmirror migrate-db`` on the database it copies into, one row per copied
    # table (and one for the search index), in the transaction of each batch, so that an
    # interrupted copy resumes after the last committed batch. Never copied itself.
    sa.Column("table_name", sa.String(64), primary_key=True),
    sa.Column("source", sa.String(64), nullable=False),  # fingerprint of the archive copied
    sa.Column("last_key", Json, nullable=True),  # primary key of the last row copied, as a list
    sa.Column("rows_copied", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("done", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("updated_at", sa.BigInteger, nullable=False),
)

channel_leases = sa.Table(
    "channel_leases",
    metadata,
    # Which worker archives a channel (``tgmirror run --worker-id``): one row per leased
    # channel, taken when free or expired, renewed while the worker runs, deleted on a clean
    # exit. Times are the database's clock, so the workers' clocks never have to agree.
    sa.Column(
        "channel_id",
        sa.BigInteger,
        sa.ForeignKey("channels.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    sa.Column("worker_id", sa.String(128), nullable=False),
    sa.Column("expires_at", sa.BigInteger, nullable=False),
    sa.Column("renewed_at", sa.BigInteger, nullable=False),
    sa.Column("taken_at", sa.BigInteger, nullable=False),
    sa.Index("ix_channel_leases_worker_id", "worker_id"),
)

channel_accounts = sa.Table(
    "channel_accounts",
    metadata,
    # Which Telegram account of [[telegram.accounts]] archives a channel, and which ones lost
    # access to it. ``state``: "archiving" (one account per channel), "idle" (moved off it by
    # a flood wait or a sign-out) or "lost" (it cannot read a channel another account reads).
    sa.Column(
        "channel_id",
        sa.BigInteger,
        sa.ForeignKey("channels.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    sa.Column("account", sa.String(128), primary_key=True),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("detail", sa.Text, nullable=True),
    sa.Column("updated_at", sa.BigInteger, nullable=False),
    # The channel's access hash for this account (each account has its own): a restart
    # addresses the channel by id with it, never by resolving its username.
    sa.Column("access_hash", sa.BigInteger, nullable=True),
)

account_notices = sa.Table(
    "account_notices",
    metadata,
    # What Telegram asked of an account's user, shown by ``tgmirror status`` while it applies:
    # kind "takeout_delay" = confirm the data export on another device (until: when Telegram
    # allows it anyway). Deleted when it no longer applies.
    sa.Column("account", sa.String(128), primary_key=True),
    sa.Column("kind", sa.String(32), primary_key=True),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("until", sa.BigInteger, nullable=True),
    sa.Column("updated_at", sa.BigInteger, nullable=False),
)

media_thumbnails = sa.Table(
    "media_thumbnails",
    metadata,
    # A resized JPEG of a stored photo that pages show instead of the original (srcset): made
    # once, kept in the media store under its own content key ``path``.
    sa.Column(
        "sha256",
        sa.String(64),
        sa.ForeignKey("media_files.sha256", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("width", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("path", sa.String, nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("created_at", sa.BigInteger, nullable=False),
)

FTS_TABLE = "messages_fts"
"""FTS5 index over messages (SQLite only). Contentless: the store indexes text folded by
``archiver.store.search_text.fold`` (SQLite's unicode61 does not fold Arabic harakat or ё) and
deletes with the same folded text. ``rowid`` is ``search_order.order_key`` (date, then
``messages.id``) so matches come newest first; ``chan`` holds one token ``c<channel id>`` so a
search inside one channel is an FTS intersection, not a post-filter; ``stem`` holds the stems
of Arabic, Persian, Russian and Ukrainian words (``archiver.store.search_stem``)."""

FTS_CREATE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "body, chan, stem, content='', tokenize='unicode61 remove_diacritics 2')"
)
FTS_DROP = f"DROP TABLE IF EXISTS {FTS_TABLE}"

# On PostgreSQL the search index is an ordinary table of the same name: one tsvector per
# message, built from the same folded words and stems (a stem is the lexeme ``_stem``), under
# a GIN index (docs/postgresql.md says why tsvector and not pg_trgm). It is on its own
# MetaData: SQLite must never create it.
PG_SEARCH_CREATE = (
    f"CREATE TABLE IF NOT EXISTS {FTS_TABLE} ("
    "message_id BIGINT NOT NULL, body TSVECTOR NOT NULL, "
    f"CONSTRAINT pk_{FTS_TABLE} PRIMARY KEY (message_id), "
    f"CONSTRAINT fk_{FTS_TABLE}_message_id_messages FOREIGN KEY (message_id) "
    "REFERENCES messages (id) ON DELETE CASCADE)",
    f"CREATE INDEX IF NOT EXISTS ix_{FTS_TABLE}_body ON {FTS_TABLE} USING gin (body)",
)

pg_search_index = sa.Table(
    FTS_TABLE,
    sa.MetaData(),
    sa.Column("message_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("body", TSVECTOR, nullable=False),
)


def include_in_autogenerate(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Alembic filter: the search index (FTS5 and its shadow tables, or PostgreSQL's tsvector
    table) is managed by hand."""
    return not (type_ == "table" and name is not None and name.startswith(FTS_TABLE))


evidence_log = sa.Table(
    "evidence_log",
    metadata,
    # The capture log (archiver.evidence): append-only, one row per capture, ``seq`` from 0 with
    # no gaps. ``leaf`` is the capture's RFC 8785 JSON, ``leaf_hash`` its RFC 9162 leaf hash.
    # No foreign keys: a capture outlives the rows it describes, so their loss shows.
    sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("type", sa.String(16), nullable=False),  # post | deletion | event | media
    sa.Column("channel_id", sa.BigInteger, nullable=False),
    sa.Column("msg_id", sa.BigInteger, nullable=True),
    sa.Column("captured_at", sa.BigInteger, nullable=False),
    sa.Column("leaf", sa.Text, nullable=False),
    sa.Column("leaf_hash", sa.LargeBinary(32), nullable=False),
    sa.Index("ix_evidence_log_channel_id_msg_id", "channel_id", "msg_id"),
)

evidence_heads = sa.Table(
    "evidence_heads",
    metadata,
    # Signed tree heads of the capture log: the root of its first ``tree_size`` captures,
    # signed with the archive's Ed25519 key (archiver.evidence.heads says what is signed).
    sa.Column("tree_size", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("root_hash", sa.LargeBinary(32), nullable=False),
    sa.Column("signed_at", sa.BigInteger, nullable=False),
    sa.Column("key_id", sa.String(64), nullable=False),  # sha256 of the raw public key, hex
    sa.Column("signature", sa.LargeBinary(64), nullable=False),
)

evidence_subtrees = sa.Table(
    "evidence_subtrees",
    metadata,
    # The capture log's complete (perfect) subtrees above the leaves, written with each signed
    # head for every subtree under it (archiver.store.evidence_subtrees): a proof reads
    # O(log n) of them instead of every leaf hash. (level, idx) covers the captures
    # [idx * 2**level, (idx + 1) * 2**level); derived data, which `verify` recomputes.
    sa.Column("level", sa.SmallInteger, primary_key=True, autoincrement=False),
    sa.Column("idx", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("hash", sa.LargeBinary(32), nullable=False),
    sqlite_with_rowid=False,
)

evidence_timestamps = sa.Table(
    "evidence_timestamps",
    metadata,
    # RFC 3161 time-stamp tokens over signed tree heads (archiver.evidence.timestamps): the
    # token's message imprint is the SHA-256 of the head's signed message.
    sa.Column("tree_size", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("tsa_url", sa.String(500), primary_key=True),
    sa.Column("token", sa.LargeBinary, nullable=False),  # DER TimeStampResp as the TSA sent it
    sa.Column("gen_time", sa.BigInteger, nullable=False),  # the TSA's genTime, Unix seconds
)

evidence_cosignatures = sa.Table(
    "evidence_cosignatures",
    metadata,
    # Witness cosignatures (archiver.evidence.witness). ``made``: this archive checked and
    # countersigned the head of the mirror at ``origin``; ``received``: a witness posted its
    # cosignature of one of this archive's heads (``origin`` is then the witness's key id).
    sa.Column("direction", sa.String(8), primary_key=True),
    sa.Column("origin", sa.String(500), primary_key=True),
    sa.Column("tree_size", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("witness_key_id", sa.String(64), primary_key=True),
    sa.Column("body", sa.Text, nullable=False),  # the cosignature as JSON (witness.py)
    sa.Column("witnessed_at", sa.BigInteger, nullable=False),
)

web_absences = sa.Table(
    "web_absences",
    metadata,
    # Posts t.me/s no longer shows in a range it showed them in before (archiver.tme.absences):
    # each read of the range without the post is one signal, counted by the same rule as a
    # channel's erasure (``erasure_confirmations`` signals ``erasure_check_interval`` apart);
    # then the post gets a tombstone and its row goes. A sighting deletes the row.
    sa.Column(
        "channel_id",
        sa.BigInteger,
        sa.ForeignKey("channels.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    sa.Column("msg_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("signal_count", sa.Integer, nullable=False),
    sa.Column("signal_first_at", sa.BigInteger, nullable=False),
    sa.Column("signal_last_at", sa.BigInteger, nullable=False),
)
