"""Stems of Persian words written in parts joined by a zero-width non-joiner (ZWNJ, U+200C).

Persian writes one word in several joined-up parts: a plural or clitic after the word
(کتاب‌ها, خانه‌ای, بزرگ‌تر), the verb prefix می‌/نمی‌ before it (می‌شود), and the parts of a
compound (روزنامه‌نگار, journalist: newspaper + writer). The ZWNJ says where the parts meet,
which the same letters written without it do not: روزنامه‌ای is روزنامه + ای (a newspaper),
not روزنام + های. So such a word is stemmed from its parts here, never split into words:

- trailing parts that are inflections (``_INFLECTIONS``) come off, and the word's stem is the
  conservative stem (``search_stem_arabic.arabic_stem``) of what is left: کتاب‌های → کتاب,
  روزنامه‌ها → روزنامه;
- what is left is joined up, so a compound stays one word: روزنامه‌نگار and روزنامهنگار
  (written without ZWNJ) both give روزنامهنگار, and a search for روزنامه does not find them;
  a compound without an inflection part is stemmed as the joined word would be (روزنامه‌نگاران
  → روزنامهنگار);
- a verb prefix stays on the stem (a search for می‌شود is not one for نمی‌شود), and the stem
  without it is held as an alternative, so a search for the bare form finds both.

Input is folded for stems (``search_text.fold_for_stems``): ی → ي, ک → ك, ZWNJ kept.
"""

from __future__ import annotations

from archiver.store.search_stem_arabic import arabic_keys, arabic_stem

ZWNJ = "\u200c"

# Folded (ی → ي): plural ها with ezafe/indefinite/clitics, ezafe/indefinite ی ای, copula and
# possessive clitics, comparative تر ترین.
_INFLECTIONS = frozenset(
    "ها هاي هايي هايم هايت هايش هايمان هايتان هايشان هاست "  # noqa: SIM905
    "ي اي ايي ام ات اش ايم ايد اند است ست مان تان شان تر ترين تري".split()
)
_VERB_PREFIXES = frozenset(("مي", "نمي"))


def _parts(word: str) -> tuple[str, str, bool]:
    """(verb prefix or "", the word's remaining parts joined up, whether inflection parts
    came off)."""
    parts = [part for part in word.split(ZWNJ) if part]
    prefix = parts.pop(0) if len(parts) > 1 and parts[0] in _VERB_PREFIXES else ""
    inflected = False
    while len(parts) > 1 and parts[-1] in _INFLECTIONS:
        parts.pop()
        inflected = True
    return prefix, "".join(parts), inflected


def _core_keys(core: str, inflected: bool) -> list[str]:
    # With an inflection part taken off, the end of the core is known to be the word's own.
    return [arabic_stem(core)] if inflected else arabic_keys(core)


def zwnj_keys(word: str) -> list[str]:
    """Every stem the index holds for a folded Arabic-script word holding ZWNJ, the
    conservative one (what a query looks for) first."""
    prefix, core, inflected = _parts(word)
    if not core:
        return []
    keys = _core_keys(core, inflected)
    if prefix:
        keys = _core_keys(prefix + core, inflected) + keys
    return list(dict.fromkeys(keys))


def zwnj_query_key(word: str) -> str:
    """The stem a whole-word query for a folded Arabic-script word holding ZWNJ looks for."""
    prefix, core, _ = _parts(word)
    return arabic_stem(prefix + core)
