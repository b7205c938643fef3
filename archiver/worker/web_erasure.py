"""t.me as a witness of erasure, independent of any account.

What t.me shows becomes an `Observation`: the preview (ok), the plain "Contact @name" page
(the username is gone: deleted, or made private), a user's or bot's page (the name moved), a
channel page without preview, or a blocked notice. A fault (5xx, timeout, cut-off body) is
inconclusive. With several sources, `combine` erases only where the sources that could look
agree; each source's view is kept in the detail, so the mirror can say how it was established.
"""

from __future__ import annotations

from archiver.store.channels import Channel
from archiver.tme.client import WebUnavailable
from archiver.tme.parse import PreviewPage
from archiver.worker.channel_status import Observation, Transition
from archiver.worker.context import WorkerContext

REASONS = {"nobody": "username_gone", "user": "username_moved", "channel": "no_preview"}


def page_observation(page: PreviewPage) -> Observation:
    """What one t.me page says about the channel."""
    if page.kind == "preview":
        return Observation("ok", detail="t.me: preview shown")
    if page.kind == "blocked":
        notice = page.notice or ""
        reason = "restricted" if "country" in notice.lower() else "banned"
        return Observation("signal", reason, f"t.me: blocked notice: {notice}")
    shown = {
        "nobody": 'the plain "Contact @name" page',
        "user": "a user's or bot's page",
        "channel": "a channel page without preview",
    }[page.kind]
    return Observation("signal", REASONS[page.kind], f"t.me: {shown}")


async def observe_web(ctx: WorkerContext, channel: Channel) -> Observation:
    """Look at the channel's t.me/s page; faults are inconclusive, never a signal."""
    if not channel.username:
        return Observation("inconclusive", detail="t.me: no username to look up")
    try:
        page = await ctx.web.page(f"/s/{channel.username}", channel.id)
    except WebUnavailable as exc:
        return Observation("inconclusive", detail=f"t.me: {exc}")
    return page_observation(page)


def combine(seen: dict[str, Observation]) -> Observation:
    """One observation from several sources: ok if any source reads the channel; a signal
    only if every source that gave an answer saw one (the first one's reason); else
    inconclusive. The detail names what each source saw."""
    detail = "; ".join(
        f"{source}: {obs.kind} ({obs.detail or obs.reason or ''})" for source, obs in seen.items()
    )
    answers = [obs for obs in seen.values() if obs.kind != "inconclusive"]
    if any(obs.kind == "ok" for obs in answers):
        return Observation("ok", detail=detail)
    if answers:
        return Observation("signal", answers[0].reason, detail)
    return Observation("inconclusive", detail=detail)


async def check_web_channel(ctx: WorkerContext, channel: Channel) -> Transition:
    """Probe a web-only channel on t.me and record what was seen (see `record_observation`)."""
    from archiver.worker.probe import record_observation

    return await record_observation(ctx, channel, await observe_web(ctx, channel))
