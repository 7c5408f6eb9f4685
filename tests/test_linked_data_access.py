"""Named graphs under ``/graph/…`` and HTTP caching with restricted plans, on every backend:
a restricted plan's graphs are served to its members only (404 for anyone else, exactly as for
a graph that does not exist); entity tags differ per visibility, so a member never gets a 304
from a public tag, and change when a plan is submitted."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from plans_support import BASE, PlanServer, example, mark, revised_vitens_plan
from rdflib import Graph, URIRef

NETWORK = "drinkwater-vitens"
MARKER = "GEHEIM9c1d"
VERSION = f"/graph/plan/{NETWORK}/v1"
PROV = f"/graph/plan/{NETWORK}/prov"


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory, backend: str) -> Iterator[dict]:
    srv = PlanServer(tmp_path_factory.mktemp("ld-access"), backend)
    srv.start()
    tokens = {"member": srv.token("--org", "VR06"), "other": srv.token("--org", "tennet")}
    r = srv.submit(mark(example("plan-drinkwater-vitens-correct.csv"), MARKER),
                   tokens["member"], allow_warnings="true")
    assert r.status_code == 201, r.text
    assert r.json()["visibility"] == "restricted"
    yield {"server": srv, "tokens": tokens}
    srv.stop()


def test_public_graphs_are_served(setup: dict) -> None:
    srv: PlanServer = setup["server"]
    r = srv.get("/graph/data/networks", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    g = Graph().parse(data=r.content, format="turtle")
    assert (URIRef(BASE + f"id/netwerk/{NETWORK}"), None, None) in g
    assert srv.get("/graph/data/networks.nt").headers["content-type"].startswith(
        "application/n-triples")
    html = srv.get("/graph/data/networks", headers={"Accept": "text/html"})
    assert html.status_code == 200 and "/graph/data/networks.ttl" in html.text
    assert srv.get("/graph/data/networks").headers["etag"]


@pytest.mark.parametrize("path", [VERSION, PROV, f"{VERSION}.ttl"])
def test_restricted_graphs_for_members_only(setup: dict, path: str) -> None:
    srv: PlanServer = setup["server"]
    member = srv.get(path, setup["tokens"]["member"], headers={"Accept": "text/turtle"})
    assert member.status_code == 200
    assert len(Graph().parse(data=member.content, format="turtle")) > 0
    if path != PROV:
        assert MARKER in member.text
    assert "private" in member.headers["cache-control"]
    missing = srv.get("/graph/plan/bestaat-niet/v1", headers={"Accept": "text/turtle"})
    assert missing.status_code == 404
    for token in (None, setup["tokens"]["other"]):
        r = srv.get(path, token, headers={"Accept": "text/turtle"})
        assert r.status_code == 404
        assert MARKER not in r.text
        # the same answer as for a graph that does not exist (it names what was asked)
        assert r.headers["content-type"] == missing.headers["content-type"]
        assert r.text.replace(path.split("/")[-1].split(".")[0], "v1").replace(
            NETWORK, "X").replace("/prov", "/v1") == missing.text.replace("bestaat-niet", "X")


def test_plan_version_page_links_its_graph(setup: dict) -> None:
    srv: PlanServer = setup["server"]
    member = setup["tokens"]["member"]
    page = srv.get(f"/doc/planversie/{NETWORK}-v1", member)
    assert page.status_code == 200
    assert f'href="{VERSION}"' in page.text
    assert srv.get(VERSION, member).status_code == 200


@pytest.mark.parametrize("path", ["/dumps/vitaalkg.ttl", "/dumps/vitaalkg.nt.gz",
                                  f"/doc/netwerk/{NETWORK}", "/doc/veiligheidsregio/vr13"])
def test_a_member_never_gets_a_304_from_a_public_tag(setup: dict, path: str) -> None:
    srv: PlanServer = setup["server"]
    member = setup["tokens"]["member"]
    public = srv.get(path)
    assert public.status_code == 200 and "public" in public.headers["cache-control"]
    r = srv.get(path, member, headers={"If-None-Match": public.headers["etag"]})
    assert r.status_code == 200
    assert r.headers["etag"] != public.headers["etag"]
    assert "private" in r.headers["cache-control"]
    assert "Authorization" in r.headers["vary"]
    assert revalidated(srv, path, r.headers["etag"], member)
    assert revalidated(srv, path, public.headers["etag"])


def revalidated(srv: PlanServer, path: str, tag: str, token: str | None = None) -> bool:
    """Whether ``tag`` gets a 304. On a remote store tags also roll over each minute
    (``http_cache.REMOTE_SECONDS``: writes by other tools): then only a new tag may refuse
    it, and the new one must get its 304."""
    r = srv.get(path, token, headers={"If-None-Match": tag})
    if r.status_code == 200 and srv.backend != "embedded":
        assert r.headers["etag"] != tag
        r = srv.get(path, token, headers={"If-None-Match": r.headers["etag"]})
    return r.status_code == 304


def test_tags_change_when_a_plan_is_submitted(setup: dict) -> None:
    srv: PlanServer = setup["server"]
    member = setup["tokens"]["member"]
    paths = ["/dumps/vitaalkg.ttl", f"/doc/actieplan/{NETWORK}", f"/doc/netwerk/{NETWORK}"]
    before = {p: srv.get(p, member).headers["etag"] for p in paths}
    r = srv.submit(revised_vitens_plan(MARKER), member, allow_warnings="true")
    assert r.status_code == 201, r.text
    for path in paths:
        again = srv.get(path, member, headers={"If-None-Match": before[path]})
        assert again.status_code == 200, path
        assert again.headers["etag"] != before[path]
    assert srv.get("/graph/plan/drinkwater-vitens/v2", member).status_code == 200
