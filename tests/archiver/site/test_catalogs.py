"""Every string of the interface is translated in every language's catalog, and the compiled
catalogs that ship in the wheel say what the .po files say."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from archiver.site.locales import LANGUAGES, LOCALE_DIR, SOURCE_LANGUAGE

ROOT = Path(__file__).resolve().parents[3]
TRANSLATED = [code for code in LANGUAGES if code != SOURCE_LANGUAGE]
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _template_strings() -> set[str]:
    with open(ROOT / "babel.cfg", encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
    found = set()
    for _name, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


@pytest.fixture(scope="module")
def strings() -> set[str]:
    found = _template_strings()
    assert "Skip to content" in found and "%(num)s post" in found  # the extraction works
    return found


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_interface_string_is_translated(code: str, strings: set[str]) -> None:
    with open(LOCALE_DIR / code / "LC_MESSAGES" / "messages.po", "rb") as f:
        catalog = read_po(f, locale=code)
    translated = {}
    for message in catalog:
        if not message.id:
            continue
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        if all(forms) and not message.fuzzy:
            translated[key] = forms
    assert sorted(strings - translated.keys()) == []  # run scripts/catalogs, then translate
    for key, forms in translated.items():
        names = set(_PLACEHOLDER.findall(key))
        for form in forms:
            assert set(_PLACEHOLDER.findall(form)) <= names, (key, form)


@pytest.mark.parametrize("code", TRANSLATED)
def test_compiled_catalog_matches_its_source(code: str) -> None:
    folder = LOCALE_DIR / code / "LC_MESSAGES"
    with open(folder / "messages.po", "rb") as f:
        catalog = read_po(f, locale=code)
    fresh = io.BytesIO()
    write_mo(fresh, catalog)
    fresh.seek(0)
    with open(folder / "messages.mo", "rb") as f:
        shipped = read_mo(f)
    assert _messages(shipped) == _messages(read_mo(fresh))  # run scripts/catalogs


def _messages(catalog: Catalog) -> dict[object, object]:
    def frozen(value: object) -> object:
        return tuple(value) if isinstance(value, list) else value

    return {frozen(m.id): frozen(m.string) for m in catalog if m.id}
