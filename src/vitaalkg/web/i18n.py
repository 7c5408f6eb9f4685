"""The language of the pages: Dutch by default, English on request.

The language of a request is the visitor's explicit choice (the cookie ``taal``, set by the
switch in the header: ``GET /taal/{nl|en}?terug=/path``), else the best of ``Accept-Language``
(q-values honoured; ``en-GB`` is English; anything else is Dutch). :class:`LanguageMiddleware`
keeps it in a context variable for the whole request, so templates and Python code translate
with :func:`gettext` (``_``) without passing it around, and gives every HTML answer
``Content-Language`` and ``Vary: Accept-Language, Cookie``.

The texts are Dutch in the code; the English ones come from the GNU gettext catalogue
``locale/en/LC_MESSAGES/messages.po`` (Dutch msgids, English msgstrs), read once with Babel.
Machine formats (JSON, CSV, RDF, SPARQL results) do not change with the language.
"""

from __future__ import annotations

import functools
from contextvars import ContextVar
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import quote

from babel.messages.pofile import read_po
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup, escape
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DEFAULT = "nl"
LANGUAGES = ("nl", "en")
#: the switch's text, in the language it switches to
NAMES = {"nl": "Nederlands", "en": "English"}
COOKIE = "taal"
COOKIE_SECONDS = 365 * 24 * 3600
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
#: ``Vary`` of every HTML answer: its language follows these request headers
VARY = ("Accept-Language", "Cookie")

_current: ContextVar[str] = ContextVar("vitaalkg_language", default=DEFAULT)


# -- choosing -------------------------------------------------------------------------------------
def from_accept_language(header: str | None) -> str:
    """The language of ``Accept-Language``: the highest q-value among Dutch and English (the
    header's order breaks ties); Dutch when neither is acceptable."""
    best, best_q = DEFAULT, 0.0
    for item in (header or "").split(","):
        tag, _, params = item.strip().partition(";")
        primary = tag.strip().lower().split("-", 1)[0]
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if primary in LANGUAGES and q > best_q:
            best, best_q = primary, q
    return best


def chosen(cookie_header: str | None) -> str | None:
    """The language of the ``taal`` cookie, None without a valid one."""
    if not cookie_header:
        return None
    jar = SimpleCookie()
    try:
        jar.load(cookie_header)
    except Exception:  # a malformed Cookie header: as if there were none
        return None
    morsel = jar.get(COOKIE)
    return morsel.value if morsel is not None and morsel.value in LANGUAGES else None


def language_for(headers: Headers) -> str:
    """The request's language: the cookie first, then ``Accept-Language``."""
    return chosen(headers.get("cookie")) or from_accept_language(headers.get("accept-language"))


def current_language() -> str:
    """The language of the request being answered (Dutch outside a request)."""
    return _current.get()


def is_english() -> bool:
    return _current.get() == "en"


def use_language(request: Request, lang: str) -> None:
    """Answer this request in ``lang`` (an explicit ``lang`` field of a form), whatever the
    cookie and ``Accept-Language`` said."""
    if lang in LANGUAGES:
        _current.set(lang)
        request.state.lang = lang


# -- the catalogue --------------------------------------------------------------------------------
@functools.cache
def catalogue(lang: str) -> dict[str, Any]:
    """``{Dutch msgid: English msgstr}`` (a tuple for plural entries) of ``lang``'s PO file;
    empty for Dutch. Untranslated and fuzzy entries are left out (the Dutch shows)."""
    path = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    if lang == DEFAULT or not path.exists():
        return {}
    with path.open("rb") as handle:
        catalog = read_po(handle)
    result: dict[str, Any] = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, (list, tuple)):
            strings = tuple(message.string or ())
            if all(strings):
                result[message.id[0]] = strings
        elif message.string:
            result[message.id] = message.string
    return result


def gettext(message: str) -> str:
    """``message`` (Dutch) in the request's language."""
    if _current.get() == DEFAULT:
        return message
    found = catalogue(_current.get()).get(message)
    if isinstance(found, tuple):  # a plural entry with this singular
        return found[0]
    return found if isinstance(found, str) else message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n`` in the request's language."""
    if _current.get() != DEFAULT:
        found = catalogue(_current.get()).get(singular)
        if isinstance(found, tuple) and len(found) >= 2:
            return found[0] if n == 1 else found[1]
    return singular if n == 1 else plural


_ = gettext


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    """Marks a text for the catalogue; translated later, where it is shown."""
    return message


def pick(nl: str, en: str | None) -> str:
    """Of a Dutch and an English text from the code, the one of the request's language."""
    return en if is_english() and en else nl


def number(value: int | float | str, grouping: bool = True) -> str:
    """A number written for the page's language: ``11.566`` and ``2,5`` on Dutch pages,
    ``11,566`` and ``2.5`` on English ones; without ``grouping`` no thousands separator (years
    and codes in query results). A text that is no number stays as it is."""
    try:
        parsed = float(value) if isinstance(value, str) else value
    except ValueError:
        return str(value)
    if parsed != parsed or parsed in (float("inf"), float("-inf")):
        return str(value)
    if isinstance(value, str) and not any(c in value for c in ".eE"):
        parsed = int(value)
    sep = "," if grouping else ""
    text = (f"{parsed:{sep}}" if isinstance(parsed, int)
            else f"{parsed:{sep}.{_decimals(str(value))}f}")
    if _current.get() == DEFAULT:
        text = text.translate(str.maketrans(",.", ".,"))
    return text


def _decimals(text: str) -> int:
    """The number of decimals written in ``text`` (at most 6)."""
    _whole, _dot, fraction = text.partition(".")
    return min(len(fraction.split("e")[0].split("E")[0]), 6)


# -- labels from the data -------------------------------------------------------------------------
def label(nl: str | None, en: str | None = None) -> Markup:
    """A label from the knowledge base in the page's language: the label in that language,
    else the other one marked with its ``lang`` (WCAG 3.1.2)."""
    if is_english():
        if en:
            return Markup(escape(en))
        if nl:
            return Markup('<span lang="nl">%s</span>') % nl
        return Markup("")
    if nl:
        return Markup(escape(nl))
    return Markup('<span lang="en">%s</span>') % en if en else Markup("")


def label_text(nl: str | None, en: str | None = None) -> str:
    """:func:`label` as plain text (page titles, attributes)."""
    return (en if is_english() and en else nl or en) or ""


def in_language(values: list[Any]) -> list[Any]:
    """Of language-tagged values (``.lang``), those in the page's language; Dutch and untagged
    ones when there are none; all when neither."""
    lang = _current.get()
    wanted = [v for v in values if (getattr(v, "lang", None) or "") in
              ((lang,) if lang != DEFAULT else ("nl", ""))]
    if wanted:
        return wanted
    fallback = [v for v in values if (getattr(v, "lang", None) or "") in ("nl", "")]
    return fallback or list(values)


# -- Jinja ----------------------------------------------------------------------------------------
def install_jinja(env: Any) -> None:
    """Add ``_``, ``ngettext`` (newstyle: placeholders are escaped) and the language helpers
    to a Jinja environment."""
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(gettext, ngettext, newstyle=True)
    env.filters["number"] = number
    env.globals.update(page_language=current_language, label=label, label_text=label_text,
                       in_language=in_language, switch_link=switch_link)


def switch_link(path: str, query: str = "") -> dict[str, str]:
    """The header's switch to the other language: its href, text and language code."""
    target = "nl" if is_english() else "en"
    back = path + (f"?{query}" if query else "")
    return {"href": f"/taal/{target}?terug={quote(back, safe='')}", "text": NAMES[target],
            "lang": target}


# -- the middleware -------------------------------------------------------------------------------
class LanguageMiddleware:
    """Sets the request's language for everything inside it, and adds ``Content-Language``
    and ``Vary: Accept-Language, Cookie`` to HTML answers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        lang = language_for(Headers(scope=scope))
        state = scope.setdefault("state", {})
        state["lang"] = lang
        token = _current.set(lang)

        async def send_with_language(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if headers.get("content-type", "").startswith("text/html"):
                    headers["Content-Language"] = state.get("lang", lang)
                    vary_html(headers)
            await send(message)

        try:
            await self.app(scope, receive, send_with_language)
        finally:
            _current.reset(token)


def vary_html(headers: Any) -> None:
    """Add ``Accept-Language`` and ``Cookie`` to ``Vary`` (once each)."""
    present = [v.strip() for v in headers.get("vary", "").split(",") if v.strip()]
    for name in VARY:
        if name.lower() not in {v.lower() for v in present}:
            present.append(name)
    headers["Vary"] = ", ".join(present)


# -- the switch -----------------------------------------------------------------------------------
def safe_back(value: str | None) -> str:
    """A local path to return to; ``/`` for anything that could lead to another site."""
    if (not value or not value.startswith("/") or value.startswith("//") or "\\" in value
            or any(ord(c) < 32 for c in value)):
        return "/"
    return value


router = APIRouter(include_in_schema=False)


@router.get("/taal/{code}")
def switch(code: str, request: Request, terug: str | None = None) -> Response:
    """Remember the chosen language (a cookie for a year) and go back to the page."""
    response = RedirectResponse(safe_back(terug), status_code=303)
    if code in LANGUAGES:
        response.set_cookie(COOKIE, code, max_age=COOKIE_SECONDS, path="/", samesite="lax",
                            secure=request.url.scheme == "https")
    response.headers["Cache-Control"] = "no-store"
    return response


def install(app: FastAPI) -> None:
    """The switch's route (the middleware is added last, outermost, by ``app.py``); the
    catalogue is read now, so a broken PO file stops the start."""
    for lang in LANGUAGES:
        catalogue(lang)
    app.include_router(router)
