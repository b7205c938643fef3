"""The deployment files in docs/deploy work as written: systemd accepts the units, and the
nginx site, run by a real nginx (only ports and certificate paths changed), serves the mirror
over TLS with the right public URLs, passes Range through and rate-limits search."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import archive_sql
import httpx
import pytest
from waiting import accepts_connections, http_status, wait_for

DEPLOY = Path(__file__).parents[2] / "docs" / "deploy"
HOST = "mirror.example.org"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("unit", sorted(p.name for p in DEPLOY.glob("tgmirror-*")))
def test_systemd_accepts_the_unit(unit: str, tmp_path: Path) -> None:
    tgmirror = Path(sys.executable).parent / "tgmirror"
    text = (DEPLOY / unit).read_text().replace("/opt/tgmirror/bin/tgmirror", str(tgmirror))
    (tmp_path / unit).write_text(text)
    if unit.endswith(".timer"):  # a timer is verified with the service it starts
        service = unit.replace(".timer", ".service")
        (tmp_path / service).write_text(
            (DEPLOY / service).read_text().replace("/opt/tgmirror/bin/tgmirror", str(tgmirror))
        )
    verify = subprocess.run(
        ["systemd-analyze", "verify", str(tmp_path / unit)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert verify.returncode == 0 and verify.stdout + verify.stderr == "", verify.stderr


@pytest.fixture
def mirror_port(archive_copy, tmp_path: Path):
    port = _free_port()
    storage = archive_copy["storage_toml"]
    (tmp_path / "tgmirror.toml").write_text(f"[storage]\n{storage}[web]\nport = {port}\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TGMIRROR_")}
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "tgmirror"), "serve"],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for(lambda: http_status(f"http://127.0.0.1:{port}/") is not None, 60)
    yield port
    proc.send_signal(signal.SIGTERM)
    proc.wait(30)


@pytest.fixture
def nginx(mirror_port: int, tmp_path: Path):
    """The documented site in a minimal nginx main config; returns (http port, https port)."""
    run = tmp_path / "nginx"
    run.mkdir()
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            f"/CN={HOST}",
            "-keyout",
            str(run / "key.pem"),
            "-out",
            str(run / "cert.pem"),
        ],
        check=True,
        capture_output=True,
    )
    http_port, https_port = _free_port(), _free_port()
    site = (DEPLOY / "nginx.conf").read_text()
    for old, new in (
        ("127.0.0.1:8000", f"127.0.0.1:{mirror_port}"),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        (f"/etc/letsencrypt/live/{HOST}/fullchain.pem", str(run / "cert.pem")),
        (f"/etc/letsencrypt/live/{HOST}/privkey.pem", str(run / "key.pem")),
    ):
        assert old in site, old
        site = site.replace(old, new)
    site = "\n".join(ln for ln in site.splitlines() if "listen [::]" not in ln)
    (run / "nginx.conf").write_text(
        f"pid {run}/nginx.pid;\nerror_log {run}/error.log;\nevents {{}}\n"
        f"http {{\naccess_log off;\nclient_body_temp_path {run}/body;\n"
        f"proxy_temp_path {run}/proxy;\nfastcgi_temp_path {run}/fcgi;\n"
        f"uwsgi_temp_path {run}/uwsgi;\nscgi_temp_path {run}/scgi;\n{site}\n}}\n"
    )
    nginx_bin = shutil.which("nginx") or "/usr/sbin/nginx"
    proc = subprocess.Popen(
        [nginx_bin, "-p", str(run), "-c", str(run / "nginx.conf"), "-g", "daemon off;"],
        stderr=subprocess.PIPE,
        text=True,
    )

    def listening() -> bool:
        assert proc.poll() is None, proc.stderr.read()  # nginx refused its config
        return accepts_connections("127.0.0.1", https_port)

    wait_for(listening, 20, every=0.1)
    yield http_port, https_port
    proc.terminate()
    proc.wait(10)


def test_nginx_site_serves_the_mirror(nginx, archive_copy) -> None:
    http_port, https_port = nginx
    plain = httpx.get(f"http://127.0.0.1:{http_port}/x?y=1", headers={"Host": HOST})
    assert plain.status_code == 301
    assert plain.headers["location"] == f"https://{HOST}/x?y=1"
    with httpx.Client(
        base_url=f"https://127.0.0.1:{https_port}", verify=False, headers={"Host": HOST}, timeout=10
    ) as client:
        index = client.get("/")
        assert index.status_code == 200 and "content-security-policy" in index.headers
        # The public address reaches the app through X-Forwarded-Proto and Host:
        feed = client.get("/sada_alhaqiqa/feed.rss")
        assert feed.status_code == 200
        link = ET.fromstring(feed.content).find("channel/link").text
        assert link.startswith(f"https://{HOST}/"), link
        sha, path, size = archive_sql.one(
            archive_copy["config"].database_url,
            "SELECT f.sha256, f.path, f.size FROM media_files f JOIN message_media mm"
            " ON mm.sha256 = f.sha256 JOIN messages m ON m.id = mm.message_id"
            " WHERE m.channel_id = :ar AND f.size > 100 ORDER BY f.sha256 LIMIT 1",
            ar=archive_copy["ar"],
        )
        data = (archive_copy["config"].media_dir / path).read_bytes()
        part = client.get(f"/media/{sha}", headers={"Range": "bytes=10-99"})
        assert part.status_code == 206 and part.content == data[10:100]
        assert part.headers["content-range"] == f"bytes 10-99/{size}"
        statuses = [client.get("/search", params={"q": "the"}).status_code for _ in range(40)]
        assert statuses.count(200) >= 10 and 503 in statuses, statuses
