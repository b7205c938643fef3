"""The interface languages: which there are, which way each is written, how a reader's request
picks one, and their gettext catalogs (compiled ``.mo`` files under ``archiver/site/locale``),
loaded once per process so that a page costs no catalog work."""

from __future__ import annotations

import functools
import gettext
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel.support import Translations
from markupsafe import Markup, escape

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"
SOURCE_LANGUAGE = "en"


def N_(message: str) -> str:
    """Mark a string for the catalogs; the template translates it where it is shown."""
    return message


@dataclass(frozen=True)
class Language:
    """One interface language: its code, its name in itself, and its direction."""

    code: str
    name: str
    dir: str


LANGUAGES: dict[str, Language] = {
    lang.code: lang
    for lang in (
        Language("en", "English", "ltr"),
        Language("ar", "العربية", "rtl"),
        Language("fa", "فارسی", "rtl"),
        Language("ru", "Русский", "ltr"),
        Language("uk", "Українська", "ltr"),
    )
}


@functools.cache
def translations(code: str) -> gettext.NullTranslations:
    """The catalog of ``code`` (English is the source language and needs none)."""
    if code == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    found = Translations.load(str(LOCALE_DIR), [code], DOMAIN)
    if not isinstance(found, Translations):
        raise FileNotFoundError(f"{LOCALE_DIR}/{code}/LC_MESSAGES/{DOMAIN}.mo is missing")
    return found


class TemplateGettext:
    """``_``/``gettext`` and ``ngettext`` of one language for templates, as Jinja's "newstyle"
    gettext (``_('Hello %(name)s', name=x)``: values escaped, the result is markup) but about
    five times cheaper per call: translated strings are looked up once and kept as Markup, and
    a string without values is returned as it is (so msgids never need ``%%``)."""

    def __init__(self, catalog: gettext.NullTranslations) -> None:
        self.catalog = catalog
        self.singular: dict[str, Markup] = {}
        self.plurals: dict[tuple[str, str, int, bool], Markup] = {}
        # the catalog's plural rule (GNU gettext's Plural-Forms); English's is n != 1
        self.plural_form: Callable[[int], int] = getattr(catalog, "plural", _english_plural)

    def gettext(self, message: str, /, **values: Any) -> Markup:
        found = self.singular.get(message)
        if found is None:
            found = self.singular[message] = Markup(self.catalog.gettext(message))
        return _format(found, values) if values else found

    def ngettext(self, singular: str, plural: str, n: int, /, **values: Any) -> Markup:
        """The plural form for ``n``, looked up once per form: a channel page shows twenty
        view counts, and looking each up in the catalog cost more than the rest of a card's
        meta line. (Whether n is 1 is in the key: a message missing from the catalog falls
        back to ``singular`` for 1 only, whatever the language's forms.)"""
        values.setdefault("num", n)
        key = (singular, plural, self.plural_form(n), n == 1)
        found = self.plurals.get(key)
        if found is None:
            found = self.plurals[key] = Markup(self.catalog.ngettext(singular, plural, n))
        return _format(found, values)


def _english_plural(n: int) -> int:
    return int(n != 1)


def _format(template: Markup, values: dict[str, Any]) -> Markup:
    return Markup(str.__mod__(template, {k: escape(v) for k, v in values.items()}))


@functools.cache
def template_gettext(code: str) -> TemplateGettext:
    """The template gettext functions of ``code``, one per process."""
    return TemplateGettext(translations(code))


def supported(value: str | None) -> str | None:
    """The interface language a tag such as ``ar``, ``ru-RU`` or ``uk_UA`` names, if any."""
    if not value:
        return None
    code = value.strip().lower().replace("_", "-").split("-", 1)[0]
    return code if code in LANGUAGES else None


@functools.lru_cache(maxsize=512)
def from_accept_language(header: str) -> str | None:
    """The reader's most preferred supported language in an Accept-Language header."""
    best: tuple[float, int, str] | None = None
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.partition(";")
        code = supported(tag)
        if code is None:
            continue
        weight = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if weight > 0 and (best is None or (weight, -position) > (best[0], best[1])):
            best = (weight, -position, code)
    return best[2] if best else None


def choose_language(
    query: str | None, cookie: str | None, accept_language: str | None, default: str
) -> str:
    """``?lang=`` first, then the ``lang`` cookie, then Accept-Language, then the config."""
    return (
        supported(query)
        or supported(cookie)
        or (from_accept_language(accept_language) if accept_language else None)
        or default
    )
