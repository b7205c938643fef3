"""The web mirror's pages: the core's page environments (``archiver.site``), one per interface
language, and the choice of language for each request."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi.templating import Jinja2Templates
from starlette.requests import Request
from starlette.responses import HTMLResponse

from archiver.config import Config
from archiver.site.environment import make_environment
from archiver.site.locales import LANGUAGES, choose_language, supported

LANG_COOKIE = "lang"
LANG_COOKIE_AGE = 365 * 24 * 3600


class Pages:
    """``TemplateResponse`` as in Jinja2Templates, in the language the request asks for:
    ``?lang=`` (which also sets the ``lang`` cookie), the cookie, Accept-Language, the config."""

    def __init__(self, config: Config) -> None:
        self.default = config.web.language
        self.by_language = {
            code: Jinja2Templates(env=make_environment(config, code)) for code in LANGUAGES
        }

    def language(self, request: Request) -> str:
        return choose_language(
            request.query_params.get("lang"),
            request.cookies.get(LANG_COOKIE),
            request.headers.get("accept-language"),
            self.default,
        )

    def TemplateResponse(
        self,
        request: Request,
        name: str,
        context: dict[str, Any] | None = None,
        status_code: int = 200,
    ) -> HTMLResponse:
        lang = self.language(request)
        context = dict(context or {})
        context["lang_query"] = _query_without_lang(request)
        response = self.by_language[lang].TemplateResponse(
            request, name, context, status_code=status_code
        )
        response.headers["content-language"] = lang
        response.headers["vary"] = "Accept-Language, Cookie"
        if supported(request.query_params.get("lang")) and request.cookies.get(LANG_COOKIE) != lang:
            response.set_cookie(LANG_COOKIE, lang, max_age=LANG_COOKIE_AGE, samesite="lax")
        return response


def _query_without_lang(request: Request) -> str:
    """The query string to keep in the language links (``q=…&``), so a search stays a search."""
    if not request.url.query:
        return ""
    kept = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    return urlencode(kept) + "&" if kept else ""


def make_templates(config: Config) -> Pages:
    """The pages of every language, with the project's filters and globals."""
    return Pages(config)
