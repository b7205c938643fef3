"""docs/deploy/compose.yaml read as Docker Compose reads it, and its services' commands run on
this machine as their containers would run them: variables interpolated from a .env, each
service's environment, mounts mapped to folders, host names of services mapped to loopback
ports. No Docker daemon is needed (nor available here); the image build is not exercised."""

from __future__ import annotations

import json
import re
import shlex
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DEPLOY = Path(__file__).resolve().parents[2] / "docs" / "deploy"
COMPOSE_FILE = DEPLOY / "compose.yaml"
DOCKERFILE = DEPLOY / "Dockerfile"
_VARIABLE = re.compile(r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<op>:?[?-])?(?P<arg>[^}]*)\}")


class InterpolationError(Exception):
    """A required variable (``${NAME:?message}``) is not set."""


def interpolate(value: Any, env: dict[str, str]) -> Any:
    """Compose's variable substitution over every string of a loaded file: ``$$`` is a dollar,
    ``${NAME}``, ``${NAME:-default}`` and ``${NAME:?error}`` read ``env``."""
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    if not isinstance(value, str):
        return value

    def one(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, op, arg = match.group("name", "op", "arg")
        found = env.get(name)
        unset = found is None or (op is not None and op.startswith(":") and found == "")
        if unset and op in (":?", "?"):
            raise InterpolationError(f"{name}: {arg}")
        if unset and op in (":-", "-"):
            return arg
        return found or ""

    return _VARIABLE.sub(one, value)


def variables(text: str) -> set[str]:
    """Names of the variables a compose file interpolates."""
    return {m.group("name") for m in _VARIABLE.finditer(text) if m.group("name")}


def load_compose(env: dict[str, str]) -> dict[str, Any]:
    return interpolate(yaml.safe_load(COMPOSE_FILE.read_text()), env)


@dataclass(frozen=True)
class Image:
    """What the Dockerfile gives every container of the tgmirror image."""

    entrypoint: list[str]
    env: dict[str, str]
    workdir: str
    user: str
    base: str
    run: list[str] = field(default_factory=list)
    copies: list[str] = field(default_factory=list)


def read_dockerfile(path: Path = DOCKERFILE) -> Image:
    """The few instructions of the Dockerfile a container's start depends on."""
    text = re.sub(r"\\\n", " ", path.read_text())
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    env: dict[str, str] = {}
    found: dict[str, Any] = {"run": [], "copies": [], "workdir": "/", "user": "root"}
    for line in lines:
        word, _, rest = line.partition(" ")
        word = word.upper()
        if word == "FROM":
            found["base"] = rest.strip()
        elif word == "ENV":
            env.update(dict(part.split("=", 1) for part in shlex.split(rest)))
        elif word == "ENTRYPOINT":
            found["entrypoint"] = json.loads(rest)
        elif word == "WORKDIR":
            found["workdir"] = rest.strip()
        elif word == "USER":
            found["user"] = rest.strip()
        elif word == "RUN":
            found["run"].append(rest.strip())
        elif word == "COPY":
            found["copies"].append(shlex.split(rest)[0])
    return Image(env=env, **found)


def is_tgmirror(service: dict[str, Any]) -> bool:
    """A service of the tgmirror image, built from this repository's Dockerfile."""
    build = service.get("build") or {}
    dockerfile = COMPOSE_FILE.parent / build.get("context", ".") / build.get("dockerfile", "")
    return bool(build) and dockerfile.resolve() == DOCKERFILE.resolve()


def start_order(services: dict[str, Any]) -> list[str]:
    """Services in an order where each starts after everything it depends on (a cycle
    fails the assertion, as ``docker compose up`` refuses it)."""
    done: list[str] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in done:
            return
        assert name not in visiting, f"depends_on cycle through {name}"
        visiting.add(name)
        for dep in services[name].get("depends_on") or {}:
            visit(dep)
        visiting.discard(name)
        done.append(name)

    for name in services:
        visit(name)
    return done


@dataclass
class Container:
    """One service run as a process here: its mounts are folders under ``root``."""

    name: str
    service: dict[str, Any]
    root: Path
    binds: dict[str, Path]
    """Source of a bind mount (as written in compose.yaml) -> the file used instead."""

    def mounts(self) -> list[tuple[str, Path, bool]]:
        """(container path, host path, is a bind mount) for each volume, longest path first."""
        out = []
        for spec in self.service.get("volumes") or []:
            source, target = spec.split(":")[:2]
            if source.startswith(("./", "../", "/")):
                out.append((target, self.binds[source], True))
            else:  # a named volume, shared by the services that mount it
                out.append((target, self.root.parent.parent / "volumes" / source, False))
        return sorted(out, key=lambda m: -len(m[0]))

    def host_path(self, path: str) -> Path:
        """Where a path of this container is on the host: in a mount, or in its own tree."""
        for target, host, _ in self.mounts():
            if path == target or path.startswith(target.rstrip("/") + "/"):
                return host / Path(path).relative_to(target)
        return self.root / path.lstrip("/")

    def prepare(self, image_dirs: list[str]) -> None:
        """Create the volumes and the image's own directories (``image_dirs``)."""
        self.root.mkdir(parents=True, exist_ok=True)
        for _, host, bind in self.mounts():
            if not bind:
                host.mkdir(parents=True, exist_ok=True, mode=0o700)
        for path in image_dirs:
            self.host_path(path).mkdir(parents=True, exist_ok=True, mode=0o700)


def rewrite_config(text: str, hosts: dict[str, str], changes: dict[str, Any]) -> dict[str, Any]:
    """The mounted config as this machine needs it: service host names replaced by loopback
    addresses, then the tables of ``changes`` merged in (key by key)."""
    for service_host, local in hosts.items():
        text = text.replace(service_host, local)
    data = tomllib.loads(text)
    for table, values in changes.items():
        if isinstance(values, dict):
            data[table] = {**data.get(table, {}), **values}
        else:
            data[table] = values
    return data


def to_toml(data: dict[str, Any]) -> str:
    """A TOML text of a config mapping (tables of scalars, lists and arrays of tables)."""

    def scalar(value: Any) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return repr(value)
        if isinstance(value, list):
            return "[" + ", ".join(scalar(v) for v in value) + "]"
        return json.dumps(str(value), ensure_ascii=False)

    def table(prefix: str, values: dict[str, Any]) -> list[str]:
        lines = [f"[{prefix}]"] if prefix else []
        nested = []
        for key, value in values.items():
            is_table = isinstance(value, dict)
            if is_table or (isinstance(value, list) and value and isinstance(value[0], dict)):
                nested.append((key, value))
            else:
                lines.append(f"{key} = {scalar(value)}")
        for key, value in nested:
            name = f"{prefix}.{key}" if prefix else key
            if isinstance(value, dict):
                lines += table(name, value)
            else:
                for item in value:
                    lines.append(f"[[{name}]]")
                    lines += [f"{k} = {scalar(v)}" for k, v in item.items()]
        return lines

    return "\n".join(table("", data)) + "\n"


def program(argv: list[str]) -> list[str]:
    """A container's command with ``tgmirror`` and ``python`` of this virtualenv."""
    bindir = Path(sys.executable).parent
    first = {"tgmirror": str(bindir / "tgmirror"), "python": sys.executable}
    return [first.get(argv[0], argv[0]), *argv[1:]]
