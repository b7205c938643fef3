"""docs/deploy/compose.yaml is a working deployment: every tgmirror command in it is a real
command with valid options, its environment is what tgmirror reads, services start in a
working order with their own state; and its topology, run on this machine (a real PostgreSQL
with password authentication, an S3 server, the commands and environments of the file), archives
a simulated Telegram with two workers and serves an erased channel with its media from S3.

Docker itself is not available here: the image build and the postgres/minio images are not
exercised (the Dockerfile is only read)."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import os
import re
import signal
import socket
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import asyncpg
import boto3
import httpx
import pytest
import typer
from compose_topology import (
    COMPOSE_FILE,
    DEPLOY,
    Container,
    InterpolationError,
    is_tgmirror,
    load_compose,
    program,
    read_dockerfile,
    rewrite_config,
    start_order,
    to_toml,
    variables,
)
from s3_server import s3_server
from waiting import wait_for

from archiver.cli import app, register
from archiver.config import load_config
from archiver.simulator import ChannelSpec, World, generate_world

_wait = functools.partial(wait_for, seconds=180, every=0.3)

ROOT = DEPLOY.parents[1]
ENV = {  # the .env of this test run
    "TGMIRROR_API_ID": "611335",
    "TGMIRROR_API_HASH": "d524b414d21f4d37f08684c1df41ac9c",
    "POSTGRES_PASSWORD": "compose-test-password",
    "MINIO_ROOT_USER": "tgmirror",
    "MINIO_ROOT_PASSWORD": "minio-test-secret",
}
COMPOSE = load_compose(ENV)
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
TGMIRROR = {name: s for name, s in SERVICES.items() if is_tgmirror(s)}
CONFIG_TEXT = (DEPLOY / "tgmirror.toml").read_text()
CONFIG = tomllib.loads(CONFIG_TEXT)
IMAGE = read_dockerfile()
WORKERS = sorted(name for name, s in TGMIRROR.items() if s["command"][0] == "run")


def _parse_cli(args: list[str]) -> Any:
    """Click's parsing of a tgmirror command line (typer's click context), every option
    checked, nothing run; a wrong option or value raises click's usage error."""
    register()
    command = typer.main.get_command(app)
    parent, name, rest = None, "tgmirror", list(args)
    while hasattr(command, "commands"):  # a group: its options, then the subcommand
        at = next(i for i, word in enumerate(rest) if word in command.commands)
        ctx = command.make_context(name, rest[: at + 1], parent=parent)
        parent, name, rest = ctx, rest[at], rest[at + 1 :]
        command = command.commands[name]
    return command.make_context(name, rest, parent=parent)


def test_tgmirror_services_run_real_commands() -> None:
    assert IMAGE.entrypoint == ["tgmirror"]
    assert set(TGMIRROR) >= {"db-upgrade", "web"} and len(WORKERS) == 2
    for name, service in TGMIRROR.items():
        ctx = _parse_cli(service["command"])
        assert ctx.command.name == {"db-upgrade": "upgrade", "web": "serve"}.get(name, "run")
    for worker in WORKERS:  # the documented sign-in: docker compose run --rm worker-N login
        assert _parse_cli(["login"]).command.name == "login"
        assert f"docker compose run --rm {worker} login" in (ROOT / "docs/deploy.md").read_text()
    web = _parse_cli(SERVICES["web"]["command"])
    assert web.params["host"] == "0.0.0.0" and web.params["workers"] >= 2
    assert f"127.0.0.1:{web.params['port']}:{web.params['port']}" in SERVICES["web"]["ports"]
    ids = [_parse_cli(TGMIRROR[w]["command"]).params["worker_id"] for w in WORKERS]
    assert len(set(ids)) == len(ids) and all(ids)
    with pytest.raises(Exception, match="No such option: --wrker-id"):
        _parse_cli(["run", "--no-web", "--wrker-id", "w1"])
    with pytest.raises(Exception, match="greater than or equal to 1"):
        _parse_cli(["serve", "--workers", "0"])


def test_environment_is_what_tgmirror_reads() -> None:
    source = (ROOT / "archiver/config.py").read_text()
    read = set(re.findall(r'env(?:\.get\(|\[)"([A-Z_]+)"', source)) | {"TGMIRROR_CONFIG"}
    assert {"TGMIRROR_API_ID", "TGMIRROR_API_HASH", "AWS_ACCESS_KEY_ID"} <= read
    # No password in the URL: the driver reads PGPASSWORD (checked here in asyncpg itself).
    import inspect

    import asyncpg.connect_utils as connect_utils

    assert "os.getenv('PGPASSWORD')" in inspect.getsource(connect_utils)
    read.add("PGPASSWORD")
    for name, service in TGMIRROR.items():
        env = service["environment"]
        assert set(env) <= read, (name, set(env) - read)
        assert env["TGMIRROR_CONFIG"] == IMAGE.env["TGMIRROR_CONFIG"]
        assert {"PGPASSWORD", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} <= set(env), name
    for worker in WORKERS:
        assert {"TGMIRROR_API_ID", "TGMIRROR_API_HASH"} <= set(SERVICES[worker]["environment"])
    assert "TGMIRROR_API_HASH" not in SERVICES["web"]["environment"]  # only archivers sign in
    assert CONFIG["storage"]["database"].startswith("postgresql+asyncpg://tgmirror@postgres:")
    assert SERVICES["postgres"]["environment"]["POSTGRES_USER"] == "tgmirror"


def test_the_mounted_config_loads_as_tgmirror_reads_it() -> None:
    config = load_config(DEPLOY / "tgmirror.toml", env={})
    assert config.storage.media_backend == "s3" and config.storage.s3.web == "stream"
    assert str(config.storage.data_dir) == CONFIG["storage"]["data_dir"]  # absolute in the image


def test_env_example_names_every_variable() -> None:
    example = (DEPLOY / "env.example").read_text()
    named = {ln.split("=")[0] for ln in example.splitlines() if ln and not ln.startswith("#")}
    assert named == variables(COMPOSE_FILE.read_text())
    with pytest.raises(InterpolationError, match="POSTGRES_PASSWORD"):
        load_compose({k: v for k, v in ENV.items() if k != "POSTGRES_PASSWORD"})


def test_services_start_in_a_working_order() -> None:
    order = start_order(SERVICES)
    for name, service in SERVICES.items():
        for dep, how in (service.get("depends_on") or {}).items():
            if how["condition"] == "service_healthy":
                assert SERVICES[dep].get("healthcheck"), f"{name} waits for {dep}'s health"
            if how["condition"] == "service_completed_successfully":
                assert SERVICES[dep]["restart"] == "no", f"{dep} is a one-shot"
    assert SERVICES["db-upgrade"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in (*WORKERS, "web"):  # the schema and the bucket exist before anything uses them
        deps = SERVICES[name]["depends_on"]
        assert deps["db-upgrade"]["condition"] == "service_completed_successfully"
        assert deps["minio-setup"]["condition"] == "service_completed_successfully"
    assert order.index("minio") < order.index("minio-setup") < order.index("web")
    setup = " ".join(SERVICES["minio-setup"]["command"])
    assert f"mc mb --ignore-existing local/{CONFIG['storage']['s3']['bucket']}" in setup
    assert CONFIG["storage"]["s3"]["endpoint_url"] == "http://minio:9000"


def test_each_worker_keeps_its_session_in_its_own_volume() -> None:
    data_dir = CONFIG["storage"]["data_dir"]
    assert IMAGE.workdir == data_dir
    volumes = {}
    for worker in WORKERS:
        mounts = dict(v.split(":")[:2][::-1] for v in SERVICES[worker]["volumes"])
        volumes[worker] = mounts[data_dir]
        assert mounts[IMAGE.env["TGMIRROR_CONFIG"]] == "./tgmirror.toml"
    assert len(set(volumes.values())) == len(WORKERS)
    assert set(volumes.values()) <= set(COMPOSE["volumes"])
    assert "postgres-data" in COMPOSE["volumes"] and "minio-data" in COMPOSE["volumes"]


def test_the_image_is_this_repository_installed_with_its_extras() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert re.fullmatch(r"python:3\.\d+-slim", IMAGE.base)
    version = IMAGE.base.split(":")[1].removesuffix("-slim")
    minimum = project["requires-python"].removeprefix(">=")
    assert tuple(map(int, version.split("."))) >= tuple(map(int, minimum.split(".")))
    assert IMAGE.user not in ("root", "0")
    install = next(r for r in IMAGE.run if "pip install" in r)
    extras = re.search(r"\.\[([a-z0-9,]+)\]", install).group(1).split(",")
    assert set(extras) == {"pg", "s3"} <= set(project["optional-dependencies"])
    for source in IMAGE.copies:
        assert (ROOT / source).exists(), source
    assert {"archiver", "web", "migrations", "pyproject.toml"} <= set(IMAGE.copies)


# --- the topology, run on this machine ---------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def s3_host():
    """An S3 server (moto's) on loopback, standing in for the minio service: HOST:PORT."""
    with s3_server() as url:
        yield url.removeprefix("http://")


@pytest.fixture
def postgres(pg_server):
    """The postgres service on the test server: the role and database its image's entrypoint
    creates from POSTGRES_USER/DB/PASSWORD, and password authentication for that role."""
    env = SERVICES["postgres"]["environment"]
    user, name, password = env["POSTGRES_USER"], env["POSTGRES_DB"], env["POSTGRES_PASSWORD"]
    hba = pg_server.root / "data" / "pg_hba.conf"
    before = hba.read_text()
    hba.write_text(f"host all {user} 127.0.0.1/32 scram-sha-256\n{before}")
    pg_server.execute(
        "SELECT pg_reload_conf()",
        f"CREATE ROLE {user} LOGIN PASSWORD '{password}'",
        f"CREATE DATABASE {name} OWNER {user}",
    )
    yield pg_server
    pg_server.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"DROP ROLE {user}")
    hba.write_text(before)
    pg_server.execute("SELECT pg_reload_conf()")


CHANNELS = [
    ChannelSpec("field_notes", "Field notes", lang="en", posts=60, media=True),
    ChannelSpec("vesti_dnya", "Вести дня", lang="ru", posts=80, media=True),
    ChannelSpec("akhbar", "أخبار", lang="ar", posts=70, media=False),
    ChannelSpec("open_desk", "Open desk", lang="en", posts=50, media=False),
]


class Topology:
    """The services of compose.yaml as processes: tgmirror's from their command and
    environment, postgres and minio as the test's servers."""

    def __init__(self, tmp: Path, postgres, s3: str, world: World) -> None:
        self.tmp, self.world, self.procs = tmp, world, {}
        self.web_port = _free_port()
        self.hosts = {"postgres:5432": f"127.0.0.1:{postgres.port}", "minio:9000": s3}
        self.containers = {}
        for name, service in TGMIRROR.items():
            root = tmp / "containers" / name
            binds = {"./tgmirror.toml": root / "mounted-tgmirror.toml"}
            self.containers[name] = c = Container(name, service, root, binds)
            c.prepare([IMAGE.workdir])
            binds["./tgmirror.toml"].write_text(self._config(c))

    def _config(self, c: Container) -> str:
        """The same config, on this machine, following the simulated world, faster."""
        data_dir = c.host_path(CONFIG["storage"]["data_dir"])
        return to_toml(
            rewrite_config(
                CONFIG_TEXT,
                self.hosts,
                {
                    "storage": {"data_dir": str(data_dir)},
                    "simulator": {"world": str(self.world.path)},
                    "archive": {
                        "max_channels": 2,
                        "lease_duration": 6,
                        "lease_renew_interval": 1,
                        "poll_interval": 2,
                        "reconcile_interval": 5,
                        "erasure_confirmations": 2,
                        "erasure_check_interval": 1,
                    },
                    "live": {"poll_budget": 600, "min_poll_interval": 2, "max_poll_interval": 2},
                    "channels": [{"ref": f"@{spec.username}"} for spec in CHANNELS],
                },
            )
        )

    def argv(self, name: str, command: list[str] | None = None) -> list[str]:
        args = list(command or TGMIRROR[name]["command"])
        if name == "web":  # published on the host's loopback, as `ports:` says
            args[args.index("--host") + 1] = "127.0.0.1"
            args[args.index("--port") + 1] = str(self.web_port)
        return program(IMAGE.entrypoint + args)

    def env(self, name: str) -> dict[str, str]:
        c = self.containers[name]
        env = {"PATH": os.environ["PATH"], "HOME": str(c.root), "NO_COLOR": "1"}
        for key, value in {**IMAGE.env, **TGMIRROR[name]["environment"]}.items():
            env[key] = str(c.host_path(value)) if value.startswith("/") else value
        return env

    def run(self, name: str, command: list[str] | None = None, stdin: str = "") -> str:
        c = self.containers[name]
        done = subprocess.run(
            self.argv(name, command),
            cwd=c.host_path(IMAGE.workdir),
            env=self.env(name),
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, (name, done.stdout, done.stderr)
        return done.stdout

    def start(self, name: str) -> None:
        c = self.containers[name]
        log = (self.tmp / f"{name}.log").open("w")
        self.procs[name] = subprocess.Popen(
            self.argv(name),
            cwd=c.host_path(IMAGE.workdir),
            env=self.env(name),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def log(self, name: str) -> str:
        return (self.tmp / f"{name}.log").read_text()

    def stop(self) -> dict[str, int]:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        codes = {}
        for name, proc in self.procs.items():
            try:
                codes[name] = proc.wait(60)
            except subprocess.TimeoutExpired:
                proc.kill()
                codes[name] = proc.wait()
        return codes


def _rows(url: str, sql: str, *args: object) -> list[asyncpg.Record]:
    async def go() -> list[asyncpg.Record]:
        conn = await asyncpg.connect(url)
        try:
            return await conn.fetch(sql, *args)
        finally:
            await conn.close()

    return asyncio.run(go())


@pytest.mark.slow
def test_the_topology_archives_and_serves_from_s3(tmp_path, postgres, s3_host) -> None:
    world = generate_world(tmp_path / "world.sqlite", seed=9, channels=CHANNELS)
    top = Topology(tmp_path, postgres, s3_host, world)
    s3 = boto3.client(
        "s3",
        endpoint_url=f"http://{s3_host}",
        region_name="us-east-1",
        aws_access_key_id=ENV["MINIO_ROOT_USER"],
        aws_secret_access_key=ENV["MINIO_ROOT_PASSWORD"],
    )
    database = SERVICES["postgres"]["environment"]["POSTGRES_DB"]
    db = f"postgresql://postgres@127.0.0.1:{postgres.port}/{database}"
    expected = {
        cid: sorted(m["msg_id"] for m in world.messages(cid, include_deleted=False))
        for cid in (world.channel_id(spec.username) for spec in CHANNELS)
    }
    try:
        for name in start_order(SERVICES):
            service = SERVICES[name]
            if name == "postgres":  # its healthcheck, against the test's server
                check = service["healthcheck"]["test"][1:]
                check = [
                    str(postgres.bindir / check[0]),
                    *check[1:],
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(postgres.port),
                ]
                assert subprocess.run(check, capture_output=True).returncode == 0
            elif name == "minio-setup":  # what its `mc mb` does
                bucket = re.search(r"local/(\S+)", " ".join(service["command"])).group(1)
                s3.create_bucket(Bucket=bucket)
            elif name in TGMIRROR and service["restart"] == "no":
                assert "Created database" in top.run(name)
            elif name in WORKERS:  # docker compose run --rm worker-N login, then up
                phone = f"+1555000000{WORKERS.index(name)}"
                top.run(name, ["login", "--phone", phone], stdin="12345\n")
                top.start(name)
            elif name in TGMIRROR:
                top.start(name)
        sessions = [
            top.containers[w].host_path("/var/lib/tgmirror/tgmirror.session") for w in WORKERS
        ]
        assert all(s.is_file() for s in sessions)

        def archived() -> bool:
            rows = _rows(db, "SELECT channel_id, msg_id FROM messages ORDER BY msg_id")
            stored: dict[int, list[int]] = {}
            for r in rows:
                stored.setdefault(r["channel_id"], []).append(r["msg_id"])
            waiting = _rows(
                db, "SELECT count(*) AS n FROM message_media WHERE status IN ('pending', 'failed')"
            )
            return stored == expected and waiting[0]["n"] == 0

        _wait(archived)
        leases = _rows(db, "SELECT DISTINCT worker_id FROM channel_leases")
        ids = {_parse_cli(TGMIRROR[w]["command"]).params["worker_id"] for w in WORKERS}
        assert {r["worker_id"] for r in leases} == ids  # both workers archive
        # A channel is erased on Telegram: the mirror shows it, its files streamed from S3.
        erased = world.channel_id("vesti_dnya")
        world.delete_channel(erased)
        base = f"http://127.0.0.1:{top.web_port}"
        health = SERVICES["web"]["healthcheck"]["test"][1:]  # the web is healthy, as compose sees
        health = program([h.replace(":8000/", f":{top.web_port}/") for h in health])
        _wait(lambda: subprocess.run(health, capture_output=True, timeout=30).returncode == 0)
        _wait(
            lambda: any(
                c["username"] == "vesti_dnya" for c in httpx.get(f"{base}/api/channels").json()
            )
        )
        assert httpx.get(f"{base}/vesti_dnya").status_code == 200
        assert httpx.get(f"{base}/field_notes").status_code == 404  # not erased: not shown
        files = _rows(
            db,
            "SELECT DISTINCT f.sha256, f.size FROM media_files f"
            " JOIN message_media mm ON mm.sha256 = f.sha256"
            " JOIN messages m ON m.id = mm.message_id"
            " WHERE m.channel_id = $1",
            erased,
        )
        assert files
        keys = {o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]}
        for row in files[:5]:
            got = httpx.get(f"{base}/media/{row['sha256']}")
            assert got.status_code == 200 and hashlib.sha256(got.content).hexdigest() == row[0]
            assert any(row["sha256"] in key for key in keys)
    finally:
        codes = top.stop()
    assert codes == {name: 0 for name in top.procs}, {n: top.log(n)[-3000:] for n in codes}
    for worker in WORKERS:
        assert "Stopped cleanly." in top.log(worker) and "Traceback" not in top.log(worker)
        media = top.containers[worker].host_path("/var/lib/tgmirror/media")
        assert not media.exists() or not any(media.iterdir())  # files went to the bucket
    web_log = top.log("web")
    assert len(set(re.findall(r"Started server process \[(\d+)\]", web_log))) >= 2, web_log
    assert "Traceback" not in web_log
