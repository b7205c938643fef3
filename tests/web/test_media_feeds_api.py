"""Media (Range, ETag, no path from the request), feeds (well-formed), the JSON API, admin."""

from __future__ import annotations

import hashlib
from xml.etree import ElementTree as ET

import archive_sql


def _stored(simulated_archive, kinds: tuple[str, ...]):
    """A stored file of one of ``kinds`` shown in an erased (public) channel."""
    marks = ",".join(f"'{kind}'" for kind in kinds)
    return archive_sql.one(
        simulated_archive["config"].database_url,
        "SELECT f.sha256, f.path, f.size, f.mime FROM message_media mm"
        " JOIN media_files f ON f.sha256 = mm.sha256 JOIN messages m ON m.id = mm.message_id"
        f" WHERE mm.kind IN ({marks}) AND m.channel_id IN (:ar, :ru) AND f.size > 12"
        " ORDER BY f.sha256 LIMIT 1",
        ar=simulated_archive["ar"],
        ru=simulated_archive["ru"],
    )


async def test_video_seeks_with_range_requests(client, simulated_archive) -> None:
    sha, path, size, mime = _stored(simulated_archive, ("video", "round", "gif"))
    data = (simulated_archive["config"].media_dir / path).read_bytes()
    full = await client.get(f"/media/{sha}.mp4")
    assert mime == "video/mp4"
    assert full.status_code == 200 and full.content == data
    assert full.headers["content-type"] == mime
    assert full.headers["content-length"] == str(size)
    assert full.headers["etag"] == f'"{sha}"'
    assert "immutable" in full.headers["cache-control"]
    part = await client.get(f"/media/{sha}.mp4", headers={"Range": "bytes=4-11"})
    assert part.status_code == 206
    assert part.content == data[4:12]
    assert part.headers["content-range"] == f"bytes 4-11/{size}"
    again = await client.get(f"/media/{sha}", headers={"If-None-Match": f'"{sha}"'})
    assert again.status_code == 304


async def test_media_never_follows_a_path_from_the_request(client, simulated_archive) -> None:
    sha, path, *_ = _stored(simulated_archive, ("photo",))
    for evil in (
        "../data/tgmirror.db",
        "..%2F..%2Fetc%2Fpasswd",
        path,
        f"{sha}/../x",
        "0" * 64,
        sha.upper(),
    ):
        assert (await client.get(f"/media/{evil}")).status_code == 404, evil
    ok = await client.get(f"/media/{sha}")
    assert hashlib.sha256(ok.content).hexdigest() == sha


async def test_media_of_unpublished_channel_is_not_served(
    client, client_all, simulated_archive
) -> None:
    only_en = archive_sql.one(
        simulated_archive["config"].database_url,
        "SELECT mf.sha256 FROM media_files mf WHERE NOT EXISTS (SELECT 1 FROM message_media mm"
        " JOIN messages m ON m.id = mm.message_id WHERE mm.sha256 = mf.sha256"
        " AND m.channel_id != :en) LIMIT 1",
        en=simulated_archive["en"],
    )
    if only_en is None:  # the English channel has no media of its own in this world
        return
    assert (await client.get(f"/media/{only_en[0]}")).status_code == 404
    assert (await client_all.get(f"/media/{only_en[0]}")).status_code == 200


async def test_feeds_are_well_formed_with_enclosures(client) -> None:
    rss = await client.get("/svobodnye_vesti/feed.rss")
    assert rss.headers["content-type"].startswith("application/rss+xml")
    root = ET.fromstring(rss.content)
    items = root.findall("./channel/item")
    assert len(items) == 50
    assert all(i.find("link").text.startswith("http://mirror.test/svobodnye_vesti/") for i in items)
    assert root.findall("./channel/item/enclosure")
    atom = await client.get("/svobodnye_vesti/feed.atom")
    feed = ET.fromstring(atom.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert len(feed.findall("a:entry", ns)) == 50
    assert feed.find("a:title", ns).text == "Свободные вести"


async def test_api_pages_and_post_with_revisions(client_all, simulated_archive) -> None:
    channels = (await client_all.get("/api/channels")).json()
    assert {c["username"] for c in channels} == {"sada_alhaqiqa", "svobodnye_vesti", "open_wire"}
    seen, cursor = [], None
    while True:
        params = {"limit": 50} | ({"before": cursor} if cursor else {})
        page = (await client_all.get("/api/channels/open_wire/posts", params=params)).json()
        seen += [p["msg_id"] for p in page["posts"]]
        cursor = page["older"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) and seen == sorted(seen, reverse=True)
    edited = simulated_archive["ids"]["edited"]
    post = (await client_all.get(f"/api/channels/open_wire/posts/{edited}")).json()
    assert post["text"] == "version four"
    assert [r["text"] for r in post["revisions"]] == ["version one", "version two", "version three"]
    deleted = simulated_archive["ids"]["deleted"]
    tomb = (await client_all.get(f"/api/channels/open_wire/posts/{deleted}")).json()
    assert tomb["deleted_at"] and tomb["deleted_how"] == "reconcile"
    schema = (await client_all.get("/openapi.json")).json()
    assert "/api/channels/{key}/posts" in schema["paths"]


async def test_api_follows_the_same_visibility(client) -> None:
    assert (await client.get("/api/channels/open_wire/posts")).status_code == 404
    names = {c["username"] for c in (await client.get("/api/channels")).json()}
    assert names == {"sada_alhaqiqa", "svobodnye_vesti"}


async def test_admin_needs_the_token(client, client_all) -> None:
    assert (await client.get("/admin")).status_code == 404  # no token configured
    assert (await client_all.get("/admin")).status_code == 401
    wrong = await client_all.get("/admin", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    ok = await client_all.get("/admin", headers={"Authorization": "Bearer s3cret-token"})
    assert ok.status_code == 200 and "Archive health" in ok.text and "Open Wire" in ok.text
    signed = await client_all.post("/admin", data={"token": "s3cret-token"})
    assert signed.status_code == 303
    assert "s3cret-token" not in signed.headers["set-cookie"]


async def test_channel_keys_that_only_look_numeric_are_not_found(client_all) -> None:
    for key in ("%C2%B2", "%D9%A3", "9" * 40, "-" + "9" * 25):
        for path in (f"/api/channels/{key}", f"/{key}", f"/{key}/feed.rss"):
            response = await client_all.get(path)
            assert response.status_code == 404, (path, response.status_code)
