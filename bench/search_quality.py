"""Search quality per language (ar, fa, ru, uk): recall and precision of whole-word search on a
labelled corpus with known variants (bench/search_corpus.py), side by side with PostgreSQL's own
Snowball configurations on the same posts and queries.

Backends, each answering every query inside the channel of its language:

- ``fts5``: SQLite FTS5 through tgmirror's store (stems of ``search_stem``);
- ``tsvector``: PostgreSQL through tgmirror's store (the same stems as ``_stem`` lexemes);
- ``exact``: the same store with the word quoted, i.e. the folded written word alone (what
  tgmirror searched before it stemmed);
- ``pg snowball``: ``to_tsvector(cfg, text) @@ plainto_tsquery(cfg, query)`` on the raw text,
  with PostgreSQL's ``arabic`` configuration for ar and fa and ``russian`` for ru and uk
  (PostgreSQL has no Persian or Ukrainian one).

Also printed: whether quoted phrases find exactly the posts that hold them, how often
PostgreSQL returns the same posts as SQLite, and the stemmers' speed on words they have not
seen (cache cleared). Needs PostgreSQL server binaries, as the tests do.
Run: ``python bench/search_quality.py [--verbose]``.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "support"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from pg_server import TempPostgres, find_bindir
from search_corpus import CORPUS, HELD_OUT, HELD_OUT_2, PHRASES

from archiver.db.engine import open_engine, upgrade
from archiver.rows import ChannelRow, MessageRow
from archiver.store.channels import set_channel_fields, upsert_channel
from archiver.store.messages import save_messages
from archiver.store.search import parse_query, search_posts
from archiver.store.search_stem import index_keys, query_keys
from archiver.store.search_text import fold_for_stems, search_words

LANGS = ("ar", "fa", "ru", "uk")
SETS = {"corpus": CORPUS, "held-out": HELD_OUT, "held-out 2": HELD_OUT_2}
CHANNEL = {
    (name, lang): 100 + 10 * j + i for j, name in enumerate(SETS) for i, lang in enumerate(LANGS)
}
PG_CONFIG = {"ar": "arabic", "fa": "arabic", "ru": "russian", "uk": "russian"}
TARGET_RECALL, TARGET_PRECISION = 0.9, 0.95


def posts() -> list[tuple[str, str, int, str]]:
    """(set, language, msg id, text) of every post; ids in corpus order."""
    out: list[tuple[str, str, int, str]] = []
    seen: set[tuple[str, str, str]] = set()
    for name, corpus in SETS.items():
        for lang in LANGS:
            for _, relevant, lookalike in corpus[lang]:
                for text in relevant + lookalike:
                    if (name, lang, text) not in seen:
                        seen.add((name, lang, text))
                        out.append((name, lang, len(out) + 1, text))
    return out


def post_ids() -> dict[tuple[str, str, str], int]:
    return {(name, lang, text): pk for name, lang, pk, text in posts()}


def queries() -> list[tuple[str, str, str, set[int]]]:
    """(set, language, query, ids of the relevant posts)."""
    ids = post_ids()
    return [
        (name, lang, q, {ids[(name, lang, t)] for t in relevant})
        for name, corpus in SETS.items()
        for lang in LANGS
        for q, relevant, _ in corpus[lang]
    ]


async def fill_store(url: str) -> AsyncEngine:
    engine = open_engine(url)
    await upgrade(engine)
    async with engine.begin() as conn:
        for (name, lang), cid in CHANNEL.items():
            await upsert_channel(conn, ChannelRow(id=cid, access_hash=1, title=name + lang), 1)
            await set_channel_fields(conn, cid, status="erased")
        rows = [
            MessageRow(channel_id=CHANNEL[(name, lang)], msg_id=pk, date=pk, text=text)
            for name, lang, pk, text in posts()
        ]
        await save_messages(conn, rows, 1)
    return engine


async def store_results(engine: AsyncEngine, quoted: bool = False) -> list[set[int]]:
    out = []
    async with engine.connect() as conn:
        for name, lang, q, _ in queries():
            query = parse_query(f'"{q}"' if quoted else q)
            cid = CHANNEL[(name, lang)]
            found = await search_posts(conn, query, "erased", channel_id=cid, limit=500)
            out.append({p.msg_id for p in found})
    return out


async def phrase_results(engine: AsyncEngine) -> list[bool]:
    """Per quoted query of ``PHRASES``: found exactly the posts that hold it."""
    ids = post_ids()
    out = []
    async with engine.connect() as conn:
        for lang, q, want in PHRASES:
            cid = CHANNEL[("corpus", lang)]
            found = await search_posts(conn, parse_query(q), "erased", channel_id=cid, limit=500)
            out.append({p.msg_id for p in found} == {ids[("corpus", lang, t)] for t in want})
    return out


async def snowball_results(url: str) -> list[set[int]]:
    engine = open_engine(url)
    async with engine.begin() as conn:
        await conn.exec_driver_sql(
            "CREATE TABLE snow (id bigint primary key, chan int, cfg regconfig, body text)"
        )
        await conn.execute(
            sa.text("INSERT INTO snow VALUES (:id, :chan, CAST(:cfg AS regconfig), :body)"),
            [
                {"id": pk, "chan": CHANNEL[(name, lang)], "cfg": PG_CONFIG[lang], "body": text}
                for name, lang, pk, text in posts()
            ],
        )
        out = []
        for name, lang, q, _ in queries():
            rows = await conn.execute(
                sa.text(
                    "SELECT id FROM snow WHERE chan = :chan AND "
                    "to_tsvector(cfg, body) @@ plainto_tsquery(CAST(:cfg AS regconfig), :q)"
                ),
                {"chan": CHANNEL[(name, lang)], "cfg": PG_CONFIG[lang], "q": q},
            )
            out.append({r.id for r in rows})
    await engine.dispose()
    return out


def snowball_persian() -> list[set[int]]:
    """Per query (Persian ones only, the rest empty): the posts whose words, stemmed by
    Snowball's Persian stemmer (PyStemmer; PostgreSQL has no Persian configuration), include
    the query's stem. Words split as tgmirror splits them (ZWNJ joins), on the raw text."""
    import Stemmer  # type: ignore[import-not-found]  # PyStemmer ships no type hints

    stemmer = Stemmer.Stemmer("persian")
    words = re.compile(r"\w+(?:\u200c\w+)*")
    stems = {
        (name, lang, pk): set(stemmer.stemWords(words.findall(text)))
        for name, lang, pk, text in posts()
        if lang == "fa"
    }
    out = []
    for name, lang, q, _ in queries():
        want = stemmer.stemWord(q)
        out.append(
            {pk for (n, ln, pk), s in stems.items() if (n, ln) == (name, lang) and want in s}
        )
    return out


def stem_speed() -> dict[str, float]:
    """Microseconds per distinct word to fold it and compute its stems, cache cleared."""
    out = {}
    for lang in LANGS:
        words = sorted(
            {
                w
                for _, ln, _, text in posts()
                if ln == lang
                for w in search_words(fold_for_stems(text))
            }
        )
        rounds, start = 50, time.perf_counter()
        for _ in range(rounds):
            index_keys.cache_clear()
            query_keys.cache_clear()
            for word in words:
                index_keys(fold_for_stems(word))
        out[lang] = (time.perf_counter() - start) / rounds / len(words) * 1e6
    return out


def scores(found_all: list[set[int]]) -> dict[tuple[str, str], tuple[int, int, int]]:
    """Per (set, language): (relevant found, relevant, found)."""
    acc: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for (name, lang, _q, want), found in zip(queries(), found_all, strict=True):
        acc[(name, lang)][0] += len(found & want)
        acc[(name, lang)][1] += len(want)
        acc[(name, lang)][2] += len(found)
    return {key: (a[0], a[1], a[2]) for key, a in acc.items()}


def cell(hit: int, want: int, got: int) -> str:
    precision = f"{hit / got:.2f}" if got else "–"
    return f"{hit / want:.2f} / {precision}"


def met(hit: int, want: int, got: int) -> bool:
    return hit / want >= TARGET_RECALL and hit / max(got, 1) >= TARGET_PRECISION


def report(
    results: dict[str, list[set[int]]], phrases: dict[str, list[bool]], verbose: bool
) -> None:
    names = list(results)
    per = {name: scores(found) for name, found in results.items()}
    print(f"posts: {len(posts())}, queries: {len(queries())} (recall / precision)\n")
    print("| set | language | " + " | ".join(names) + " | target met (fts5, tsvector) |")
    print("|---|---|" + "---|" * (len(names) + 1))
    for key in per["fts5"]:
        cells = [cell(*per[name][key]) for name in names]
        ok = all(met(*per[n][key]) for n in ("fts5", "tsvector"))
        print(f"| {key[0]} | {key[1]} | " + " | ".join(cells) + f" | {'yes' if ok else 'NO'} |")
    print("pg snowball: PostgreSQL's 'arabic' configuration for ar and fa, 'russian' for ru, uk")
    persian = scores(snowball_persian())
    print(
        "Snowball's Persian stemmer (PyStemmer), fa: "
        + ", ".join(f"{key[0]} {cell(*v)}" for key, v in persian.items() if key[1] == "fa")
    )
    same = sum(a == b for a, b in zip(results["tsvector"], results["fts5"], strict=True))
    print(f"\ntsvector: same posts as SQLite FTS5 for {same} of {len(queries())} queries")
    for name, ok in phrases.items():
        print(f"quoted phrases found exactly ({name}): {sum(ok)} of {len(ok)}")
    speed = stem_speed()
    print("stems, µs per unseen word: " + ", ".join(f"{k} {v:.1f}" for k, v in speed.items()))
    if verbose:
        print("\nper query: want / " + " / ".join(names))
        for i, (name, lang, q, want) in enumerate(queries()):
            got = " / ".join(str(sorted(results[n][i])) for n in names)
            print(f"  {name} {lang} {q:12} {sorted(want)} / {got}")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--verbose", action="store_true", help="print every query's results")
    args = parser.parse_args()
    bindir = find_bindir()
    if bindir is None:
        raise SystemExit("no PostgreSQL server binaries: apt-get install postgresql")
    server = TempPostgres.start(bindir)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            lite = await fill_store(f"sqlite+aiosqlite:///{tmp}/q.db")
            pg = await fill_store(server.url(server.create_database()))
            results = {
                "exact": await store_results(lite, quoted=True),
                "fts5": await store_results(lite),
                "tsvector": await store_results(pg),
            }
            phrases = {"fts5": await phrase_results(lite), "tsvector": await phrase_results(pg)}
            await lite.dispose()
            await pg.dispose()
        results["pg snowball"] = await snowball_results(server.url(server.create_database()))
        report(results, phrases, args.verbose)
    finally:
        server.stop()


if __name__ == "__main__":
    asyncio.run(main())
