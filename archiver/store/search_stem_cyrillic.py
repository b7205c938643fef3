"""Stemming of Cyrillic words: Russian by Snowball (PyStemmer), Ukrainian by light suffix stripping.

Input is a word folded for stemming (``search_text.fold_for_stems``: lower case, ё → е,
ї → і, but й kept, since Snowball's adjective endings need it). The language is told by the
word's own letters: і, є or ґ make it Ukrainian, anything else goes to Russian Snowball (ы, э
and ъ are Russian; a word with none of these letters, such as суд or мова, is stemmed alike
in both languages by Snowball's Russian endings). Snowball has no Ukrainian stemmer and PyPI
has no maintained one, so Ukrainian words lose their case, number, gender and verb endings
here (``_UK_ENDINGS``), after the first vowel as in Snowball, so that their stems meet the
Snowball stems of their unmarked sister forms (суді → суд, like суду → суд).

Snowball takes -ов/-ев off Харьков and Киев as if they were genitive plurals; such words
keep a second stem with them (``cyrillic_keys``). Ukrainian also alternates і with о and е
inside a stem (Харків, Харкова; Київ, Києва): a query stem ending in one of them before a
final consonant is looked up with the other vowels too (``cyrillic_query_variants``), so the
index need not hold every vowel.
"""

from __future__ import annotations

import re

import Stemmer  # type: ignore[import-not-found]  # PyStemmer ships no type hints

_RUSSIAN = Stemmer.Stemmer("russian", 0)  # callers cache per word
_UKRAINIAN_LETTERS = frozenset("ієґ")
_RUSSIAN_LETTERS = frozenset("ыэъ")
_VOWELS = "аеєиіоуюя"
_FIRST_VOWEL = re.compile(f"[{_VOWELS}]")

_UK_REFLEXIVE = ("ся", "сь")
_ADJECTIVE_ENDINGS = "ими ого ому ій ий ім им их іх ою оі ее ую юю ая яя ьоі ього ьому"
_NOUN_ENDINGS = "ами ями ові еві єві ах ях ам ям ом ем єм ею єю ів ей ьми"
_VERB_ENDINGS = (
    "ати яти ити іти ути ти ть ла ло ли ав ив ють ять ать уть ить ємо имо емо єте ете ите "
    "єш еш иш ує ює ме те"
)
_LETTER_ENDINGS = "а я и і у ю о е є ь й"
_UK_ENDINGS = tuple(
    sorted(
        {
            ending
            for group in (_ADJECTIVE_ENDINGS, _NOUN_ENDINGS, _VERB_ENDINGS, _LETTER_ENDINGS)
            for ending in group.split()
        },
        key=len,
        reverse=True,
    )
)
VERB_MARK = "v"  # a Latin letter: no folded Cyrillic stem ends in one
_VERB_TAGGED = frozenset("ать ять ить уть ють ть ати яти ити іти ути ти".split())  # noqa: SIM905
_SOFT_SIGN_STEM = re.compile("ь(?!ю$)[яеиёю]")
_STEM_ENDS = frozenset(("ов", "ев", "ів", "єв"))
_ALTERNATING = re.compile(r"^(.*)[іоеє]([^аеєиіоуюяьй])$")


def _is_ukrainian(word: str) -> bool:
    letters = set(word)
    return bool(letters & _UKRAINIAN_LETTERS) and not letters & _RUSSIAN_LETTERS


def ukrainian_keys(word: str) -> list[str]:
    """A Ukrainian word without its inflectional ending (one ending, after the first vowel).

    An infinitive or present-tense ending (``_VERB_TAGGED``) leaves a stem marked as a
    verb's (``VERB_MARK``), so that a verb does not meet a noun of the same letters (містить,
    contains, is not a form of місто, city); the same word also keeps the stem its shortest
    noun ending would leave, for the nouns that end in those letters (роботи, діти).
    """
    first = _FIRST_VOWEL.search(word)
    if first is None:
        return [word]
    start = first.end()
    for suffix in _UK_REFLEXIVE:
        if word.endswith(suffix) and len(word) - len(suffix) >= start:
            word = word[: -len(suffix)]
            break
    for ending in _UK_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= start:
            if ending not in _VERB_TAGGED:
                return [word[: -len(ending)]]
            keys = [word[: -len(ending)] + VERB_MARK]
            for other in _UK_ENDINGS:
                if (
                    len(other) < len(ending)
                    and other not in _VERB_TAGGED
                    and word.endswith(other)
                    and len(word) - len(other) >= start
                ):
                    keys.append(word[: -len(other)])
                    break
            return keys
    return [word]


def cyrillic_keys(word: str) -> list[str]:
    """The stems of a folded Cyrillic word.

    Snowball's Russian stemmer undoubles нн (законный → закон, as закона); the doubled н
    is kept, so adjectives in -нный stay apart from their nouns. It also takes ь off with
    an ending that follows it (судья → суд, as суда); ь before a vowel is kept (судь), but
    not before the -ью of область/областью. Where the ending taken off
    begins with ов, ев, ів or єв, that may be the end of the stem itself (Харьков, Київ, not
    столов): the stem that keeps those two letters comes second.
    """
    if _is_ukrainian(word):
        keys = ukrainian_keys(word)
        stem = keys[0]
        if stem.endswith(VERB_MARK):
            return keys
    else:
        stem = _RUSSIAN.stemWord(word)
        if stem.endswith("н") and word.startswith(stem + "н"):
            stem += "н"
        elif _SOFT_SIGN_STEM.match(word[len(stem) :]) and word.startswith(stem):
            stem += "ь"
    keys = [stem]
    if word.startswith(stem) and word[len(stem) : len(stem) + 2] in _STEM_ENDS:
        keys.append(word[: len(stem) + 2])
    return keys


def cyrillic_query_variants(stem: str) -> list[str]:
    """The stems a query stem stands for: itself, and for a stem with і, о, е or є before a
    final consonant the same stem with each of the others (Ukrainian Харків ~ Харкова)."""
    if _RUSSIAN_LETTERS & set(stem):
        return [stem]
    match = _ALTERNATING.match(stem)
    if match is None or len(stem) < 4:
        return [stem]
    head, tail = match.groups()
    return [stem] + [head + v + tail for v in "іоеє" if head + v + tail != stem]
