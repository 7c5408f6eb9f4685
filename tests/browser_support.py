"""What the browser tests share: a page in a fresh context that records script errors, console
errors and requests to other hosts; screenshots in ``test-artifacts/``; the accessibility audit
(axe-core with the WCAG 2.1 A/AA tags, and no sideways scrolling at 320 px); signing in."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from conftest import ARTIFACTS, ROOT

AXE = ROOT / "tests" / "vendor" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
#: the first elements that reach past the right edge, not inside a box that scrolls or clips
#: (for the message of a failed check)
WIDE_ELEMENTS = """() => {
  const edge = document.documentElement.clientWidth + 1;
  const clipped = e => {
    for (let a = e.parentElement; a && a !== document.body; a = a.parentElement)
      if (getComputedStyle(a).overflowX !== 'visible') return true;
    return false; };
  return [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > edge && !clipped(e)).slice(0, 6)
    .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
      + (typeof e.className === 'string' && e.className ? '.' + e.className : ''));
}"""


def new_page(browser: object, width: int = 1280, **kw: object) -> object:
    """A page in a context of its own (Dutch locale). ``page.js_errors``: uncaught script
    errors; ``page.console_errors``: console errors (CSP refusals among them) other than a
    missing favicon; ``page.foreign_requests``: URLs of requests to any host but this one."""
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="nl-NL",
                                  accept_downloads=True, **kw)
    page = context.new_page()
    page.js_errors, page.console_errors, page.foreign_requests = [], [], []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))

    def console(msg: object) -> None:
        where = (msg.location or {}).get("url", "")
        if msg.type == "error" and not where.endswith("/favicon.ico"):
            page.console_errors.append(f"{msg.text} ({where})")

    def request(req: object) -> None:
        host = urlsplit(req.url).hostname
        if req.url.split(":", 1)[0] in ("http", "https") and host not in LOCAL_HOSTS:
            page.foreign_requests.append(req.url)

    page.on("console", console)
    page.on("request", request)
    return page


def shot(page: object, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
    return path


def axe_violations(page: object) -> list[tuple[str, str, list[object]]]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now: (rule, help, targets)."""
    # evaluated through the DevTools protocol, not as a page script: the pages' Content
    # Security Policy (script-src 'self') stays in force for everything else
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
                           AXE_TAGS)
    return [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3])
            for v in result["violations"]]


def page_width_at(page: object, width: int = 320) -> int:
    """The document's scroll width with the viewport ``width`` px wide (then set back)."""
    size = page.viewport_size
    page.set_viewport_size({"width": width, "height": 800})
    scroll = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size(size)
    return scroll


def audit(page: object, name: str) -> None:
    """axe-core reports no WCAG 2.1 A/AA violation; at 320 px nothing scrolls sideways (with a
    screenshot at 320 px, ``{name}-320.png``)."""
    problems = axe_violations(page)
    assert problems == [], f"{name}: {problems}"
    size = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 800})
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate(WIDE_ELEMENTS) if width > 320 else []
    shot(page, f"{name}-320.png")
    page.set_viewport_size(size)
    assert width <= 320, f"{name}: {width}px wide at 320: {wide}"


def sign_in(page: object, url: str, token: str) -> None:
    """Sign in with an organisation's token through the sign-in form."""
    page.goto(url + "/aanmelden")
    page.fill("#token", token)
    page.get_by_role("button", name="Aanmelden").click()
    page.wait_for_load_state()
    assert page.locator("header .account-who").count() == 1, "not signed in"
