"""The one simulated Telegram: a world of channels, posts and files in a SQLite file, answering a
real `telethon.TelegramClient` whose MTProto sender is swapped for a simulated one.

Public API (stable):

    from archiver.simulator import World, attach, generate_world, ChannelSpec
    world = World.create(path, password=None)  # new world file (replaces); World.open(path)
    ch = world.add_channel(username, title, about="", *, photo=True, megagroup=False,
                           linked_discussion=False, date=None, participants=1234,
                           signatures=False) -> channel id
    mid = world.post(ch, text="", *, entities=[telethon MessageEntity…], media=MediaSpec|None,
                     date=None, grouped_id=None, reply_to=None, thread_of=None,
                     fwd_from=Forward|None, views=None, forwards=None,
                     reactions={"👍": 3}|None, post_author=None, from_user=None,
                     action=Action|None, push=True) -> msg id
    world.comment(ch, post_id, text, *, push=True) -> id in the linked discussion group
    world.edit(ch, msg_id, text=None, *, entities=None, media=None, date=None, push=True)
    world.delete(ch, ids, *, push=True)   # push=False: never announced (no pts, no update)
    world.rename(ch, title) / set_username(ch, name|None) / set_about(ch, text) / set_photo(ch)
    world.make_private(ch) / delete_channel(ch) / ban(ch, text) / restrict(ch, platform, reason,
                     text) / restore(ch)
    world.fail_next(method="GetHistoryRequest", error="FLOOD_WAIT_30", times=1, channel=None)
    world.set_random_faults(rate, *, seed=0, kinds=faults.KINDS, lost_delay=3.0)  # 0 turns off
    world.injected_faults() -> {"RPC_CALL_FAIL": n, "INTERNAL": n, "TIMEOUT": n, ...}
    world.answers_under_faults() -> answers drawn for while faults were on
    world.set_outage(bool) / set_password(str|None)
    world.set_limits({"GetHistoryRequest": (requests, seconds), "GetFileRequest": (...),
                      "ResolveUsernameRequest": (...), "Takeout:GetHistoryRequest": (...)},
                     penalty=0.0)   # {} lifts them; world.limits() -> the same dict
    world.set_network(rtt_ms=0, bytes_per_second=None)   # the defaults turn it off
    world.request_counts(by_bucket=False) -> {"GetHistoryRequest": n, ...}
    world.flood_wait_seconds() -> total X of every FLOOD_WAIT_X answered
    world.file_bytes_served() -> bytes returned by upload.GetFile
    world.set_takeout_delay(seconds) / allow_takeout(user_id=archivist)
    world.takeouts() -> [{"id", "user_id", "started", "finished"}]
    uid = world.add_account(first_name, phone)  # another user, signs in with that phone
    world.ban_account(ch, uid) / unban_account(ch, uid) / flood_account(uid, seconds) /
                     deactivate_account(uid); world.accounts() -> user rows
    world.join(ch, user_id=archivist) / leave(ch, user_id=archivist)  # membership, no limit
    world.members(ch) -> [user id]; world.joined_channels(user_id=archivist) -> [channel id]
    world.set_channels_limit(n)   # joins per account before CHANNELS_TOO_MUCH (default 500)
    world.messages(ch) -> [dict]; world.file_bytes(file_id) -> bytes; world.channel(ch) -> dict
    world.file_dc(file_id) -> 1..5; world.set_file_dc(file_id, dc)  # the file and its thumbnail
    world.set_file_reference_lifetime(seconds | None); world.file_reference_lifetime()
    world.thumb_file_id(file_id) -> id of a document's JPEG thumbnail, or None
    world.file_range(file_id, offset, limit) -> bytes
    world.file_sha256(file_id) -> hex sha256 of the file's content (stored or synthetic)
    Document(Synthetic(size, seed=0), mime_type, ...)  # content generated on demand, not stored
    world.served_parts(file_id) -> [(offset, bytes)] of every GetFile answered for it
    world.channel_id("name") -> id; world.channel_ids() -> [id]
    generate_world(path, seed=1, channels=[ChannelSpec(username, title, lang, posts, media)])
    attach(client, world_path, *, authorized=True)   # before client.connect()
    from archiver.simulator.web_preview import serve_web, WebFaults
    with serve_web(world_path, faults=WebFaults(rate, seed=0)) as app:  # the world's t.me
        app.state.base_url  # http://127.0.0.1:<port>: /s/<name>?before=<id>, /<name>, /file/<t>

MediaSpec is one of `specs.Photo, Document (kind: document|video|gif|round|audio|voice|sticker|
animated_sticker|video_sticker), Poll, Geo, Venue, Contact, WebPage, Dice`.

Behaviour worth knowing:
- login code is always "12345" (`auth.LOGIN_CODE`); 2FA uses real SRP against the world password;
  a phone no account has signs in as the first user, the archivist;
- each account sees its own access hash of a channel (the archivist the channel row's own);
  a hash of another account is CHANNEL_INVALID; an account banned from a channel sees it as
  private; a flooded account gets FLOOD_WAIT on channel requests; a deactivated one
  USER_DEACTIVATED_BAN on everything;
- files live on DCs 1-5 (a hash of the file id; `set_file_dc` moves one) and the account on
  DC 2: GetFile on another DC answers FILE_MIGRATE_X, and Telethon's exported sender (a second
  connection, signed in by auth.exportAuthorization / importAuthorization) works, because
  `attach` also replaces the client's `_create_exported_sender`; help.getConfig lists DCs 1-5;
- file references (photos and documents) expire `file_reference_lifetime` seconds after they
  are sent (default 7200): FILE_REFERENCE_EXPIRED until the message is fetched again;
- videos, GIFs, round videos, PDFs and images carry a real JPEG thumbnail (PhotoSize "m",
  Pillow-encoded; `Document(thumb=False)` sends none), downloadable with thumb_size "m";
- upload.getFile enforces Telegram's offset/limit rules (OFFSET_INVALID / LIMIT_INVALID, see
  `file_serving.range_problem` and docs/telegram-behaviour.md);
- photos are real PNG files, see `media_files` for the other formats;
- synthetic files (`Document(Synthetic(size, seed))`): the world keeps only seed, size and
  sha256 (computed once when posted, about 1.5 GB/s) and generates any byte range on demand
  (AES-128-CTR keystream of the seed, about 5 GB/s, random access), so a world of gigabytes of
  files stays a few MB on disk; every process that opens the world file reads the same bytes.
  They behave like stored files everywhere (GetFile rules, DCs, FILE_MIGRATE, references,
  counters, thumbnails, `file_bytes`, `file_range`, the t.me file route); their content is not
  real media, so use them for large files whose bytes do not matter. `World.transaction()`
  blocks nest: many `post` calls inside one block commit once (tens of thousands of posts/s);
- private channel: GetChannels -> ChannelForbidden, reads -> CHANNEL_PRIVATE; deleted channel:
  CHANNEL_INVALID and its username no longer resolves; a restriction with platform "all"
  (`ban`) keeps the channel visible but serves no messages;
- live updates are pushed only to accounts that joined the channel (channels.JoinChannel /
  LeaveChannel answer Updates with updateChannel; joining past the limit is CHANNELS_TOO_MUCH,
  leaving a channel one is not in USER_NOT_PARTICIPANT; `Channel.left` says whether the account
  is in), while it is readable; connected senders poll the world's change log every 0.15 s, so
  other processes' changes arrive too;
- updates.GetChannelDifference answers for any readable channel, joined or not; a gap larger
  than the request's `limit` (pts + limit < channel pts) is ChannelDifferenceTooLong, with the
  dialog (top message, pts) and the latest messages;
- during an outage requests stall, and fail with ConnectionError (the client disconnects) once
  the outage outlasts the client's connection_retries x retry_delay;
- random faults turn a seeded share of answers into RPC_CALL_FAIL / INTERNAL (500), TIMEOUT
  (-503), FLOOD_WAIT_1..3, or a lost answer; connecting and signing in are left alone; every
  fault is counted in the world;
- a lost answer is really lost: the server handled the request, the client never hears back.
  As Telethon's MTProtoSender does when its keep-alive ping goes unanswered, the sender then
  reconnects and sends every unanswered request again (the server sees it twice); it does so
  on the client's second `_keepalive_ping`, or `lost_delay` s after the loss, whichever is first;
- network (`set_network`): each sender is one connection (`link.Link`); an answer arrives the
  RTT plus its wire size over the bandwidth after its request, answers on one connection
  queueing for the bandwidth; another sender (another DC) has its own; off by default;
- quotas (`set_limits`): a token bucket per account and Telethon request class name, holding
  `requests` tokens and regaining requests/seconds a second, starting full; an empty bucket
  answers FLOOD_WAIT_X, X the whole seconds until a token is free (>= 1), and each request
  during a wait lengthens it by `penalty`. Requests inside InvokeWithTakeout draw from
  "Takeout:<name>" buckets. Unnamed methods are unlimited; by default nothing is. Settings and
  bucket state live in the world file: every process attached to it shares them. Telethon
  itself sleeps through a FLOOD_WAIT up to its `flood_sleep_threshold` (default 60 s) and then
  retries, and raises FloodWaitError without sending for a request type still inside a wait it
  was told of (`_flood_waited_requests`, by constructor id: one wait on a takeout-wrapped
  request holds back every takeout-wrapped request of that client);
- counters (`request_counts`, `flood_wait_seconds`, `file_bytes_served`) are kept in the world
  file by every process; a request counts once each time it reaches the server (refused,
  failed and lost ones included), none when Telethon holds it back itself;
- takeout: account.InitTakeoutSession answers TAKEOUT_INIT_DELAY_X until `set_takeout_delay`
  seconds after the account first asked (or `allow_takeout`), then opens sessions freely;
  InvokeWithTakeout with a finished, unknown or other account's id is TAKEOUT_INVALID;
  account.FinishTakeoutSession outside InvokeWithTakeout is TAKEOUT_REQUIRED (403);
- unknown requests fail with RPC error SIMULATOR_UNSUPPORTED_<NAME> and are logged.
"""

from .generate import ChannelSpec, generate_world
from .sender import attach
from .specs import (
    Action,
    Contact,
    Dice,
    Document,
    Forward,
    Geo,
    Photo,
    Poll,
    Synthetic,
    Venue,
    WebPage,
)
from .world import World

__all__ = [
    "Action",
    "ChannelSpec",
    "Contact",
    "Dice",
    "Document",
    "Forward",
    "Geo",
    "Photo",
    "Poll",
    "Synthetic",
    "Venue",
    "WebPage",
    "World",
    "attach",
    "generate_world",
]
