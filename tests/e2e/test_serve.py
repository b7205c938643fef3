"""``tgmirror serve``: loopback unless told otherwise, and says so when it is not; with
``--workers 2`` two processes serve the same archive, each finding the config given to the
command, and SIGTERM stops them all."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
from waiting import http_status, wait_for


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return out


def _cmdline(pid: int) -> bytes:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes()
    except OSError:
        return b""


def _serve(tmp_path: Path, archive: dict, *args: str) -> tuple[subprocess.Popen, int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    conf = tmp_path / "site" / "mirror.toml"
    conf.parent.mkdir(exist_ok=True)
    storage = archive["storage_toml"]
    conf.write_text(f'[storage]\n{storage}[web]\nport = {port}\npublish = "all"\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("TGMIRROR_")}
    script = Path(sys.executable).parent / "tgmirror"
    proc = subprocess.Popen(
        [str(script), "--config", str(conf), "serve", *args],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    return proc, port


def _wait_until_up(url: str) -> None:
    wait_for(lambda: http_status(url + "/") == 200, 60, what=f"{url} never answered")


def _listening_addresses(port: int) -> set[str]:
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if state == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


def test_loopback_by_default_and_a_warning_when_not(archive_copy, tmp_path) -> None:
    proc, port = _serve(tmp_path, archive_copy)
    try:
        _wait_until_up(f"http://127.0.0.1:{port}")
        assert _listening_addresses(port) == {"0100007F"}  # 127.0.0.1 and nothing else
    finally:
        proc.send_signal(signal.SIGTERM)
        quiet, _ = proc.communicate(timeout=30)
    assert f"http://127.0.0.1:{port}/" in quiet
    assert "reachable from other machines" not in quiet
    proc, port = _serve(tmp_path, archive_copy, "--host", "0.0.0.0")
    try:
        _wait_until_up(f"http://127.0.0.1:{port}")
        assert _listening_addresses(port) == {"00000000"}
    finally:
        proc.send_signal(signal.SIGTERM)
        loud, _ = proc.communicate(timeout=30)
    assert "the mirror listens on 0.0.0.0: it is reachable from other machines" in loud


def test_two_workers_serve_the_archive_and_stop_on_sigterm(archive_copy, tmp_path) -> None:
    proc, port = _serve(tmp_path, archive_copy, "--workers", "2")
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_until_up(url)
        statuses = set()
        for _ in range(30):  # a new connection each time, so both workers take some
            statuses.add(httpx.get(url + "/svobodnye_vesti", timeout=10).status_code)
        assert statuses == {200}
        workers = [c for c in _children(proc.pid) if b"spawn_main" in _cmdline(c)]
        assert len(workers) == 2, [_cmdline(c) for c in _children(proc.pid)]
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, out
    assert "with 2 workers" in out
    assert "Traceback" not in out
