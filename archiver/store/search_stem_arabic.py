"""Light stemming of Arabic-script words (Arabic and Persian), in the style of Larkey's light10.

Input is a word folded for stemming (``search_text.fold_for_stems``): no harakat, tatweel or
hamza seats, ی/ى → ي and ک → ك, but teh marbuta ``ة`` kept, since it tells a feminine noun
(مدينة, city) from the same letters without it (مدين, debtor).

A word has one *conservative* stem, taken by stripping only what is unambiguous (the article
with its clitics ``ال وال بال كال فال لل``, object pronouns ``ها هم هن هما كما`` and
``تنا تكم`` (→ ة), the plural ``ات``, Persian ``های``), and *alternatives* for what may or may
not be an affix (a lone ``و ف ب ك ل`` before the word; ``ون ين ان ي ه ا`` and Persian
``ش مان تان شان تر ترين`` after it). The index holds the conservative
stem and the alternatives; a query uses the conservative stem alone. So a query for مجلس finds
لمجلس (alternative مجلس), but a query for كتاب does not find تاب, and one for وزير finds
ووزير but not زير: precision stays with the word the reader typed.
"""

from __future__ import annotations

_ARTICLES = tuple(
    sorted(
        ("ال", "وال", "فال", "بال", "كال", "لل", "ولل", "فلل", "وبال", "فبال", "وكال", "فكال"),
        key=len,
        reverse=True,
    )
)
# Words that begin with the letters of the article but do not carry it (الله is not ال + له).
_NOT_ARTICLE_WORDS = (
    "الله اللهم الذي التي الذين اللذين اللتين اللاتي اللواتي اللائي الي الا الان اليه اليها "
    "اليهم اليك اليكم الينا لله"
)
_NOT_ARTICLE = frozenset(_NOT_ARTICLE_WORDS.split())
_PRONOUNS = ("هما", "كما", "هاي", "هم", "هن", "ها")  # longest first; هاي: Persian plural + ezafe
_TEH_PRONOUNS = ("تكم", "تكن", "تنا")  # مدينتنا → مدينة
_MAYBE_SUFFIXES = (  # longest first; Persian: ترين تر (comparison), شان تان مان ش (clitics)
    ("ترين", "شان", "تان", "مان", "يان", "ون", "ين", "ان", "يي", "تر", "ي", "ش", "ا")
)
_MIN_STEM = 3
_MIN_AFTER_ARTICLE = 2  # الحق → حق


def _strip_article(word: str) -> str:
    if word in _NOT_ARTICLE:
        return word
    for article in _ARTICLES:
        if word.startswith(article) and len(word) - len(article) >= _MIN_AFTER_ARTICLE:
            return word[len(article) :]
    return word


def _conservative_suffix(word: str) -> str:
    for suffix in _TEH_PRONOUNS:
        if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM - 1:
            return word[: -len(suffix)] + "ة"
    pronoun = False
    for suffix in _PRONOUNS:
        if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM:
            word = word[: -len(suffix)]
            pronoun = True
            break
    if word.endswith("ات") and len(word) - 2 >= _MIN_STEM:
        return word[:-2]
    if pronoun and word.endswith("ت") and len(word) > _MIN_STEM:
        return word[:-1] + "ة"  # مدينتهم → مدينة
    return word


def _suffix_alternatives(word: str, stem: str) -> list[str]:
    """Stems of ``word`` (whose conservative stem is ``stem``) if a trailing letter or two
    that may belong to the word is an affix after all, or if a ت taken for a teh marbuta
    before a pronoun belongs to the word (Persian دولتها, governments: دولت)."""
    out = []
    if stem.endswith("ة") and not word.endswith("ة") and word.startswith(stem[:-1] + "ت"):
        out.append(stem[:-1] + "ت")
    if word.endswith("ات") and stem == word[:-2]:
        out.append(stem + "ة")  # حكومات → حكومة
    if stem.endswith("ه") and len(stem) - 1 >= _MIN_STEM:
        base = stem[:-1]
        out += [base, stem[:-1] + "ة"]  # his (كتابه → كتاب) or a teh marbuta written as heh
        if base.endswith("ت") and len(base) > _MIN_STEM:
            out.append(base[:-1] + "ة")  # مدينته → مدينة
    for suffix in _MAYBE_SUFFIXES:
        if stem.endswith(suffix) and len(stem) - len(suffix) >= _MIN_STEM:
            out.append(stem[: -len(suffix)])
            break
    return out


def arabic_stem(word: str) -> str:
    """The conservative stem of a folded Arabic-script word: what a query looks for."""
    return _conservative_suffix(_strip_article(word))


def arabic_keys(word: str) -> list[str]:
    """Every stem the index holds for a folded Arabic-script word, the conservative one first."""
    bare = _strip_article(word)
    candidates = [bare]
    if bare == word and word not in _NOT_ARTICLE:
        # A lone conjunction (و ف) and/or preposition (ب ك ل) that may be the first letter.
        if len(word) - 1 >= _MIN_STEM and word[0] in "وفبكل":
            candidates.append(word[1:])
        if len(word) - 2 >= _MIN_STEM and word[0] in "وف" and word[1] in "بكل":
            candidates.append(word[2:])
    keys: list[str] = []
    for candidate in candidates:
        stem = _conservative_suffix(candidate)
        for key in (stem, *_suffix_alternatives(candidate, stem)):
            if key not in keys:
                keys.append(key)
    return keys


def arabic_prefix(prefix: str) -> str:
    """What a ``prefix*`` query looks for among stems: the typed start without the article
    and its clitics (الانتخاب* finds انتخابات and بالانتخابات); suffixes are not touched."""
    return _strip_article(prefix)
