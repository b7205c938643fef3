"""The Jinja2 environment of the mirror's pages: autoescape on, filters from ``archiver.render``,
URL builders as globals. The web mirror and the static HTML export both render with it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from archiver.config import Config
from archiver.render import highlight, plain_summary, render_text
from archiver.site.erasure_detail import sightings
from archiver.site.formats import duration, formats_for
from archiver.site.locales import LANGUAGES, N_, SOURCE_LANGUAGE, template_gettext
from archiver.site.photos import photo_image
from archiver.site.urls import channel_key, channel_url, media_url, post_url

HERE = Path(__file__).resolve().parent
TEMPLATES_DIR = HERE / "templates"
STATIC_DIR = HERE / "static"


STATUS_REASONS = {
    "deleted": N_("deleted"),
    "private": N_("made private"),
    "banned": N_("banned by Telegram"),
    "restricted": N_("geo- or platform-restricted"),
    "username_moved": N_("its username now belongs to another channel"),
    "username_gone": N_("its username no longer exists"),
    "no_preview": N_("t.me no longer previews it"),
}

DELETION_HOWS = {
    "update": N_("live update"),
    "reconcile": N_("reconcile"),
    "import": N_("import"),
    "web": N_("web"),
}
"""How a deletion was detected (``messages.deleted_how``), as a tombstone names it: a live
update, the reconciliation sweep, a Desktop export's record, or t.me/s's web preview."""


KINDS = {
    "photo": N_("Photo"),
    "video": N_("Video"),
    "gif": N_("GIF"),
    "round": N_("Video message"),
    "voice": N_("Voice message"),
    "audio": N_("Audio"),
    "sticker": N_("Sticker"),
    "document": N_("Document"),
    "poll": N_("Poll"),
    "geo": N_("Location"),
    "geolive": N_("Live location"),
    "venue": N_("Place"),
    "contact": N_("Contact"),
    "dice": N_("Dice"),
    "game": N_("Game"),
    "invoice": N_("Invoice"),
    "story": N_("Story"),
    "unsupported": N_("Unsupported media"),
    "webpage": N_("Link preview"),
    "File": N_("File"),
}


def isolated(text: object) -> Markup:
    """Text of either direction inside a sentence of the other: ``<bdi>`` keeps its order."""
    return Markup("<bdi>%s</bdi>") % text


def language_links(language: str) -> Callable[[str, str], Markup]:
    """The footer's links to the page in every language, built once per language: a page
    only puts its own query string in (a loop in the template cost a tenth of a page)."""
    items = "".join(
        f'<li><a href="?\x00lang={lang.code}" lang="{lang.code}" hreflang="{lang.code}"'
        + (' aria-current="true"' if lang.code == language else "")
        + f">{escape(lang.name)}</a></li>"
        for lang in LANGUAGES.values()
    )

    def links(query: str, label: str) -> Markup:
        html = f'<nav class="languages" aria-label="{escape(label)}"><ul>{items}</ul></nav>'
        return Markup(html.replace("\x00", str(escape(query))))

    return links


def iso_date(ts: int | None) -> str:
    return datetime.fromtimestamp(ts or 0, UTC).isoformat()


def make_environment(config: Config, language: str = SOURCE_LANGUAGE) -> jinja2.Environment:
    """The pages' environment in ``language``, with the mirror's own (absolute) URLs as globals.

    One environment per language, made once: a page then costs no catalog or locale look-up.
    """
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        auto_reload=False,  # templates ship with the package: no stat() of each per page
        extensions=["jinja2.ext.i18n"],
    )
    found = template_gettext(language)
    env.install_gettext_callables(found.gettext, found.ngettext)  # type: ignore[attr-defined]
    env.globals["_"] = found.gettext  # the extension's alias costs a second call per string
    formats = formats_for(language)
    env.filters.update(
        render_text=render_text,
        summary=plain_summary,
        date=formats.date,
        iso=iso_date,
        filesize=formats.file_size,
        number=formats.number,
        duration=duration,
        ago=formats.ago,
        highlight=highlight,
        bdi=isolated,
        sightings=sightings,
    )
    env.globals.update(
        lang=language,
        dir=LANGUAGES[language].dir,
        language_links=language_links(language),
        kinds=KINDS,
        photo_image=photo_image,
        channel_url=channel_url,
        post_url=post_url,
        media_url=media_url,
        channel_key=channel_key,
        reasons=STATUS_REASONS,
        deletion_hows=DELETION_HOWS,
        base_url=config.web.base_url.rstrip("/"),
        static_prefix="/static/",
        media_prefix="/media/",
        home_url="/",
        static_site=False,
    )
    return env
