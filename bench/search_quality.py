"""Search quality on PostgreSQL: a tsvector index against pg_trgm, next to SQLite FTS5.

A small hand-labelled corpus of Arabic and Russian posts; each query lists the posts a reader
means (every word form of the word asked for, with or without the Arabic article and clitics).
Three backends answer every query, all on text folded by ``search_text.fold``:

- ``fts5``: SQLite FTS5 through tgmirror's store (what the archive does today);
- ``tsvector``: PostgreSQL, lexemes = the folded words, GIN index, ``@@`` with ``:*`` and ``<->``;
- ``trgm``: PostgreSQL pg_trgm, GIN trigram index, ``LIKE '%word%'`` (substring) per term.

Printed: recall and precision per language and query kind, and how often each PostgreSQL
backend returns exactly what SQLite returns. Needs PostgreSQL server binaries (as the tests).
Run: ``python bench/search_quality.py``.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "support"))

from pg_server import TempPostgres, find_bindir

from archiver.db.engine import open_engine, upgrade
from archiver.rows import ChannelRow, MessageRow
from archiver.store.channels import set_channel_fields, upsert_channel
from archiver.store.messages import save_messages
from archiver.store.search import SearchQuery, parse_query, search_posts
from archiver.store.search_text import fold, search_words

CORPUS = {
    # Russian: Москва, выборы, суд, мир, Государственная дума — and words that merely contain them
    1: "Москва готовится к выборам в городскую думу",
    2: "В Москве прошли массовые задержания",
    3: "Из Москвы выслали двух журналистов",
    4: "Полиция оцепила центр Москвы и метро",
    5: "Выборы признаны недействительными",
    6: "Наблюдатели на выборах зафиксировали вбросы",
    7: "Итоги выборов опубликуют завтра",
    8: "Суд отклонил апелляцию редакции",
    9: "В суде над активистом объявлен перерыв",
    10: "Решение суда вступило в силу",
    11: "Судья удалил слушателей из зала",
    12: "Посуда и мебель вывезены со склада",
    13: "Мир должен знать правду",
    14: "Владимир Кара-Мурза переведён в другую колонию",
    15: "Мировой суд оштрафовал блогера",
    16: "Государственная дума приняла закон об иноагентах",
    17: "Депутаты Государственной думы проголосовали единогласно",
    18: "Ёлка на площади зажглась вечером",
    19: "Елка у вокзала так и не появилась",
    # Arabic: مدينة، حكومة، انتخابات، مجلس الأمن، محمد — with the article and clitics attached
    31: "وصل مُحَمَّد إلى المدينة صباحاً",
    32: "مدينة غزة تحت الحصار",
    33: "عاد الصحفيون إلى مدينتهم بعد الحرب",
    34: "والمدينة بلا كهرباء منذ أسبوع",
    35: "احتجاجات في المدن الكبرى",
    36: "الحكومة تعلن حالة الطوارئ",
    37: "استقالة حكومة الوحدة الوطنية",
    38: "بيان للحكومة حول الأسعار",
    39: "المؤسسات الحكومية مغلقة اليوم",
    40: "الانتخابات البرلمانية تؤجل مرة أخرى",
    41: "انتخابات بلدية في ثلاث محافظات",
    42: "طعون بالانتخابات أمام المحكمة",
    43: "مجلس الأمن يجتمع اليوم",
    44: "رسالة إلى مجلس الأمن الدولي",
    45: "دعوة لمجلس الأمن للتحرك",
    46: "الأمن يعتقل ثلاثة صحفيين",
    47: "محمد بن سلمان يستقبل الوفد",
    48: "محمود عباس يلتقي الوفد",
}

# (language, kind, query, the posts a reader means)
QUERIES = [
    ("ru", "word", "Москва", {1, 2, 3, 4}),
    ("ru", "word", "выборы", {1, 5, 6, 7}),
    ("ru", "word", "суд", {8, 9, 10, 15}),
    ("ru", "word", "мир", {13}),
    ("ru", "word", "елка", {18, 19}),
    ("ru", "prefix", "москв*", {1, 2, 3, 4}),
    ("ru", "prefix", "выбор*", {1, 5, 6, 7}),
    ("ru", "prefix", "суд*", {8, 9, 10, 15}),
    ("ru", "phrase", '"государственная дума"', {16, 17}),
    ("ru", "phrase", '"мировой суд"', {15}),
    ("ar", "word", "مدينة", {31, 32, 33, 34}),
    ("ar", "word", "حكومة", {36, 37, 38}),
    ("ar", "word", "انتخابات", {40, 41, 42}),
    ("ar", "word", "مُحَمَّد", {31, 47}),
    ("ar", "prefix", "مدين*", {31, 32, 33, 34}),
    ("ar", "prefix", "حكوم*", {36, 37, 38}),
    ("ar", "prefix", "الانتخاب*", {40, 41, 42}),
    ("ar", "phrase", '"مجلس الأمن"', {43, 44, 45}),
    ("ar", "phrase", '"المدينة صباحا"', {31}),
]

CHANNEL = 777


def trgm_where(query: SearchQuery) -> tuple[str, dict[str, str]]:
    """pg_trgm: every term a substring (a prefix term at a word start), every phrase too."""
    parts, params = [], {}
    for i, (word, prefix) in enumerate(query.terms):
        params[f"p{i}"] = f"% {word}%" if prefix else f"%{word}%"
        parts.append(f"(' ' || body) LIKE :p{i}")
    for j, words in enumerate(query.phrases):
        params[f"f{j}"] = "%" + " ".join(words) + "%"
        parts.append(f"body LIKE :f{j}")
    return " AND ".join(parts), params


async def fill_store(url: str) -> sa.ext.asyncio.AsyncEngine:
    engine = open_engine(url)
    await upgrade(engine)
    async with engine.begin() as conn:
        await upsert_channel(conn, ChannelRow(id=CHANNEL, access_hash=1, title="q"), 1)
        await set_channel_fields(conn, CHANNEL, status="erased")
        rows = [MessageRow(channel_id=CHANNEL, msg_id=k, date=k, text=v) for k, v in CORPUS.items()]
        await save_messages(conn, rows, 1)
    return engine


async def store_results(engine: sa.ext.asyncio.AsyncEngine) -> list[set[int]]:
    async with engine.connect() as conn:
        return [
            {p.msg_id for p in await search_posts(conn, parse_query(q), "erased", limit=100)}
            for _, _, q, _ in QUERIES
        ]


async def trgm_results(url: str) -> list[set[int]]:
    engine = open_engine(url)
    async with engine.begin() as conn:
        await conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        await conn.exec_driver_sql("CREATE TABLE trgm (id bigint primary key, body text)")
        await conn.exec_driver_sql("CREATE INDEX ON trgm USING gin (body gin_trgm_ops)")
        await conn.execute(
            sa.text("INSERT INTO trgm VALUES (:id, :body)"),
            [{"id": k, "body": " ".join(search_words(fold(v)))} for k, v in CORPUS.items()],
        )
        out = []
        for _, _, q, _ in QUERIES:
            where, params = trgm_where(parse_query(q))
            rows = await conn.execute(sa.text(f"SELECT id FROM trgm WHERE {where}"), params)
            out.append({r.id for r in rows})
    await engine.dispose()
    return out


def table(results: dict[str, list[set[int]]]) -> None:
    scores: dict[tuple[str, str, str], list[float]] = defaultdict(lambda: [0, 0, 0])
    for name, found_all in results.items():
        for (lang, kind, _q, want), found in zip(QUERIES, found_all, strict=True):
            s = scores[(lang, kind, name)]
            s[0] += len(found & want)
            s[1] += len(want)
            s[2] += len(found)
    print("| language | query kind | backend | recall | precision |")
    print("|---|---|---|---|---|")
    for (lang, kind, name), (hit, want, got) in sorted(scores.items()):
        precision = f"{hit / got:.2f}" if got else "–"
        print(f"| {lang} | {kind} | {name} | {hit / want:.2f} ({hit}/{want}) | {precision} |")
    for name in ("tsvector", "trgm"):
        same = sum(a == b for a, b in zip(results[name], results["fts5"], strict=True))
        print(f"\n{name}: same posts as SQLite FTS5 for {same} of {len(QUERIES)} queries")
    print("\nper query (fts5 / tsvector / trgm):")
    for i, (lang, kind, q, want) in enumerate(QUERIES):
        got = [sorted(results[n][i]) for n in ("fts5", "tsvector", "trgm")]
        print(f"  {lang} {kind:6} {q:24} want {sorted(want)} got {got}")


async def main() -> None:
    bindir = find_bindir()
    if bindir is None:
        raise SystemExit("no PostgreSQL server binaries: apt-get install postgresql")
    server = TempPostgres.start(bindir)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            lite = await fill_store(f"sqlite+aiosqlite:///{tmp}/q.db")
            pg = await fill_store(server.url(server.create_database()))
            results = {"fts5": await store_results(lite), "tsvector": await store_results(pg)}
            await lite.dispose()
            await pg.dispose()
        results["trgm"] = await trgm_results(server.url(server.create_database()))
        table(results)
    finally:
        server.stop()


if __name__ == "__main__":
    asyncio.run(main())
