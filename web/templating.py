"""The web mirror's templates: the core's page environment (``archiver.site``) for FastAPI."""

from __future__ import annotations

from fastapi.templating import Jinja2Templates

from archiver.config import Config
from archiver.site.environment import make_environment


def make_templates(config: Config) -> Jinja2Templates:
    """Templates with the project's filters and globals."""
    return Jinja2Templates(env=make_environment(config))
