"""Submitted action plans: versions in their own named graphs, with PROV-O provenance.

Layout in the store, per network ``{key}``:
- ``{base}graph/plan/{key}/v{n}``   the triples of version n, as submitted (after conversion);
- ``{base}graph/plan/{key}/prov``   provenance of every version (the highest number is current);
- ``{base}graph/plan/{key}/prov/v{n}`` the details of a *restricted* version n (file name,
  checksum, token, organisation, idempotency key), readable only with the version itself, so
  that making a later version public does not reveal them (a public version keeps its details
  in the provenance graph).

A submission is one transaction: on the embedded store one atomic ``extend`` of all quads (version
graph and provenance together), on a remote store one SPARQL update. Readers see the old or the
new version, never half of one; a crash during the write leaves the old version. The version
graph also holds the plan's action tallies (:mod:`vitaalkg.tallies`), computed here and written
in that same transaction; they are derived data, so :meth:`PlanRegistry.version_triples` (the
plan as submitted) and the diff leave them out.

Who may read what (:meth:`PlanRegistry.dataset_for`): everybody reads the public knowledge; the
project team reads every plan; members of a network read every version of its plan; others read
a plan only while its current version is ``public``, and then only its public versions (the
provenance graph of such a plan, i.e. when and by whom versions were submitted, is public too).
"""

from __future__ import annotations

import hashlib
import random
import threading
import time
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pyoxigraph as ox

from . import claims, tallies
from .diff import VersionDiffs
from .errors import PlanError
from .tokens import Principal

VKG = "https://w3id.org/vitaalkg/def/"
PROV = "http://www.w3.org/ns/prov#"
DCT = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"
ORG = "http://www.w3.org/ns/org#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SOURCE_DIRS = ("ontology", "shapes", "data")
VISIBILITIES = ("public", "restricted")
NATIONAL_NETWORK = "continuiteit"
#: how long a dataset computed for a remote store is trusted (others may write to it; the
#: store's generation follows their writes too, this bounds it when polling is off)
REMOTE_CACHE_SECONDS = 1.0
#: the largest version written to a remote store in one update (larger: staged in chunks)
REMOTE_ONE_UPDATE_QUADS = 1000
#: how long a submission on a remote store keeps trying for a free version number
CLAIM_PATIENCE_SECONDS = 30.0


#: the details of a version that stay as restricted as the version itself
DETAILS = (VKG + "fileName", VKG + "checksum", VKG + "submittedWithToken",
           PROV + "wasAttributedTo", VKG + "submittedByTeam", VKG + "idempotencyKey")


class AlreadyStored(PlanError):
    """The submission repeats a stored version (same idempotency key, or the same content and
    visibility as the current version); ``version`` is that version."""

    def __init__(self, version: PlanVersion) -> None:
        super().__init__(f"al opgeslagen als versie {version.version} / already stored as "
                         f"version {version.version}")
        self.version = version


def checksum(content: bytes) -> str:
    """The checksum of a submitted file, as its version records it."""
    return "sha256:" + hashlib.sha256(content).hexdigest()


def idempotency_hash(principal: Principal, key: str) -> str:
    """What a version records of an ``Idempotency-Key``: a hash of the key and who sent it, so
    the same key from another principal is another request."""
    who = principal.token_id or principal.org or ("team" if principal.team else "")
    return hashlib.sha256(f"{who}\n{key}".encode()).hexdigest()


@dataclass
class PlanVersion:
    network: str
    version: int
    graph: str
    iri: str
    submitted_at: str
    submitted_for: str | None
    submitted_by: str | None
    checksum: str
    filename: str
    visibility: str
    replaces: str | None
    plan: str | None = None
    actions: int = 0

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def default_visibility(key: str) -> str:
    """Regional plans are restricted unless said otherwise; the national plan is public."""
    return "public" if key == NATIONAL_NETWORK else "restricted"


# -- per-store state: write lock, generation, caches ------------------------------------------
class _StoreState:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.generation = 0
        self.cache: dict[Any, tuple[Any, float, Any]] = {}
        self.cache_lock = threading.Lock()


_STATES: weakref.WeakKeyDictionary[Any, _StoreState] = weakref.WeakKeyDictionary()
_STATES_LOCK = threading.Lock()


def _state(store: Any) -> _StoreState:
    with _STATES_LOCK:
        state = _STATES.get(store)
        if state is None:
            state = _STATES[store] = _StoreState()
        return state


def invalidate(store: Any) -> None:
    """Forget cached datasets of ``store`` (after a submission, a restore, a reload)."""
    state = _state(store)
    with state.cache_lock:
        state.generation += 1
        state.cache.clear()


def generation(store: Any) -> tuple[Any, int]:
    """Changes whenever plans are written through this process (or the store's own counter)."""
    return (getattr(store, "generation", None), _state(store).generation)


def _lit(value: str, datatype: str | None = None) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(datatype) if datatype else None)


class PlanRegistry(VersionDiffs):
    """Plans and their versions in a store (embedded or remote)."""

    def __init__(self, store: Any, base: str) -> None:
        self.store = store
        self.base = base

    # -- naming --------------------------------------------------------------------------
    def network_iri(self, key: str) -> str:
        return f"{self.base}id/netwerk/{key}"

    def network_key(self, iri: str) -> str | None:
        prefix = f"{self.base}id/netwerk/"
        return iri[len(prefix):] if iri.startswith(prefix) and len(iri) > len(prefix) else None

    def plan_iri(self, key: str) -> str:
        return f"{self.base}id/actieplan/{'nationaal' if key == NATIONAL_NETWORK else key}"

    def version_graph(self, key: str, n: int) -> str:
        return f"{self.base}graph/plan/{key}/v{n}"

    def prov_graph(self, key: str) -> str:
        return f"{self.base}graph/plan/{key}/prov"

    def details_graph(self, key: str, n: int) -> str:
        """Where the details of restricted version ``n`` live (see the module docstring)."""
        return f"{self.base}graph/plan/{key}/prov/v{n}"

    def _prov_graphs(self, key: str | None = None) -> list[str]:
        """The provenance graph(s) and details graphs of one network's plan (all plans)."""
        prefix = f"{self.base}graph/plan/{key}/" if key else f"{self.base}graph/plan/"
        return [g for g in self.store.graphs() if g.startswith(prefix)
                and (g.endswith("/prov") or "/prov/v" in g[len(prefix) - 1:])]

    def version_iri(self, key: str, n: int) -> str:
        return f"{self.base}id/planversie/{key}-v{n}"

    # -- caching ---------------------------------------------------------------------------
    def _cached(self, name: Any, make: Any) -> Any:
        state = _state(self.store)
        gen = generation(self.store)
        now = time.monotonic()
        remote = getattr(self.store, "kind", "embedded") != "embedded"
        with state.cache_lock:
            hit = state.cache.get(name)
            if hit is not None and hit[0] == gen and (
                    not remote or now - hit[1] < REMOTE_CACHE_SECONDS):
                return hit[2]
        value = make()
        with state.cache_lock:
            if generation(self.store) == gen:
                state.cache[name] = (gen, now, value)
        return value

    # -- reading -------------------------------------------------------------------------
    def networks_with_plans(self) -> list[str]:
        prefix = f"{self.base}graph/plan/"
        keys = {g[len(prefix):].split("/")[0] for g in self.store.graphs()
                if g.startswith(prefix) and g.endswith("/prov")}
        return sorted(keys)

    def _index(self) -> dict[str, list[tuple[int, str, str]]]:
        """network key -> [(version number, version graph, visibility)] sorted (cached)."""
        return self._cached("index", self._build_index)

    def _build_index(self) -> dict[str, list[tuple[int, str, str]]]:
        keys = self.networks_with_plans()
        if not keys:
            return {}
        provs = [self.prov_graph(k) for k in keys]
        rows = self.store.select(f"""
            PREFIX vkg: <{VKG}>
            SELECT ?pg ?n ?g ?vis WHERE {{ GRAPH ?pg {{
              ?v a vkg:PlanVersion ; vkg:versionNumber ?n ; vkg:versionGraph ?g ;
                 vkg:visibility ?vis }} }}""", default_graph=provs, named_graphs=provs)
        prefix = f"{self.base}graph/plan/"
        out: dict[str, list[tuple[int, str, str]]] = {k: [] for k in keys}
        for r in rows:
            key = r["pg"][len(prefix):].split("/")[0]
            out.setdefault(key, []).append((int(r["n"]), r["g"], r["vis"]))
        for versions in out.values():
            versions.sort()
        return {k: v for k, v in out.items() if v}

    def versions(self, key: str, *, count_actions: bool = True) -> list[PlanVersion]:
        graphs = self._prov_graphs(key) or [self.prov_graph(key)]
        rows = self.store.select(f"""
            PREFIX prov: <{PROV}> PREFIX dct: <{DCT}> PREFIX vkg: <{VKG}>
            SELECT ?v ?n ?g ?at ?for ?by ?sum ?file ?vis ?prev ?plan WHERE {{
              ?v a vkg:PlanVersion ; vkg:versionNumber ?n ; vkg:versionGraph ?g ;
                 prov:generatedAtTime ?at ; vkg:checksum ?sum ; vkg:fileName ?file ;
                 vkg:visibility ?vis .
              OPTIONAL {{ ?v prov:wasAttributedTo ?for }}
              OPTIONAL {{ ?v vkg:submittedWithToken ?by }}
              OPTIONAL {{ ?v prov:wasRevisionOf ?prev }}
              OPTIONAL {{ ?v dct:isVersionOf ?plan }}
            }} ORDER BY ?n""", default_graph=graphs, named_graphs=[])
        seen: dict[int, PlanVersion] = {}
        for r in rows:
            n = int(r["n"])
            if n in seen:
                continue
            seen[n] = PlanVersion(
                network=key, version=n, graph=r["g"], iri=r["v"],
                submitted_at=r["at"], submitted_for=r["for"], submitted_by=r["by"],
                checksum=r["sum"], filename=r["file"], visibility=r["vis"],
                replaces=r["prev"], plan=r["plan"])
        out = sorted(seen.values(), key=lambda v: v.version)
        if count_actions and out:
            counts = self._count_actions([v.graph for v in out])
            for v in out:
                v.actions = counts.get(v.graph, 0)
        return out

    def _count_actions(self, graphs: list[str]) -> dict[str, int]:
        rows = self.store.select(
            f"SELECT ?g (COUNT(DISTINCT ?a) AS ?n) WHERE {{ GRAPH ?g "
            f"{{ ?a a <{self.base}def/Action> }} }} GROUP BY ?g", default_graph=graphs,
            named_graphs=graphs)
        return {r["g"]: int(r["n"]) for r in rows}

    def current(self, key: str) -> PlanVersion | None:
        versions = self.versions(key)
        return versions[-1] if versions else None

    def network_members(self, key: str) -> set[str]:
        return set(self._members().get(self.network_iri(key), ()))

    def _members(self) -> dict[str, frozenset[str]]:
        def build() -> dict[str, frozenset[str]]:
            rows = self.store.select(
                f"SELECT ?n ?m WHERE {{ ?n <{ORG}hasMember> ?m }}",
                default_graph=self.public_graphs())
            out: dict[str, set[str]] = {}
            for r in rows:
                out.setdefault(r["n"], set()).add(r["m"])
            return {k: frozenset(v) for k, v in out.items()}

        return self._cached("members", build)

    def network_keys(self) -> list[str]:
        """The keys of every network in the public knowledge (cached)."""
        def build() -> list[str]:
            rows = self.store.select(
                f"SELECT DISTINCT ?n WHERE {{ ?n a <{self.base}def/Network> }}",
                default_graph=self.public_graphs())
            return sorted(k for k in (self.network_key(r["n"]) for r in rows) if k)

        return self._cached("network-keys", build)

    def is_public_plan(self, iri: str, key: str) -> bool:
        """Whether the public knowledge states ``iri`` to be the action plan of ``key``."""
        vkg = self.base + "def/"  # not cached: ``iri`` comes from the caller
        return self.store.ask(
            f"ASK {{ <{iri}> a <{vkg}ActionPlan> ; <{vkg}network> <{self.network_iri(key)}> }}",
            default_graph=self.public_graphs())

    def network_exists(self, key: str) -> bool:
        iri = self.network_iri(key)
        return self._cached(("network", iri), lambda: self.store.ask(
            f"ASK {{ <{iri}> a ?t }}", default_graph=self.public_graphs()))

    # -- access ----------------------------------------------------------------------------
    def public_graphs(self) -> list[str]:
        prefixes = tuple(f"{self.base}graph/{d}/" for d in SOURCE_DIRS)
        return [g for g in self.store.graphs() if g.startswith(prefixes)]

    def is_member(self, principal: Principal, key: str) -> bool:
        return principal.org is not None and principal.org in self.network_members(key)

    def may_submit(self, principal: Principal, key: str) -> bool:
        return principal.team or self.is_member(principal, key)

    def readable_versions(self, principal: Principal, key: str,
                          versions: list[tuple[int, str, str]] | None = None) -> list[int]:
        """The version numbers of ``key``'s plan that ``principal`` may read."""
        if versions is None:
            versions = self._index().get(key, [])
        if not versions:
            return []
        if principal.team or self.is_member(principal, key):
            return [n for n, _g, _v in versions]
        if versions[-1][2] != "public":
            return []
        return [n for n, _g, vis in versions if vis == "public"]

    def may_read(self, principal: Principal, key: str) -> bool:
        """Whether ``principal`` may see that ``key`` has a plan at all (its current version)."""
        versions = self._index().get(key, [])
        readable = self.readable_versions(principal, key, versions)
        return bool(versions) and versions[-1][0] in readable

    def dataset_for(self, principal: Principal) -> tuple[list[str], list[str]]:
        """(default graphs, named graphs) the principal may query: the public knowledge plus
        the current version and provenance of every plan it may read (default graph), and
        those plus the readable older versions (named graphs). Unreadable plans are not in the
        dataset at all, so no query form can reach them. Cached per (organisation, team) and
        store generation."""
        return self._cached(("dataset", principal.org, principal.team),
                            lambda: self._dataset_for(principal))

    def _dataset_for(self, principal: Principal) -> tuple[list[str], list[str]]:
        public = self.public_graphs()
        default = list(public)
        named = list(public)
        for key, versions in sorted(self._index().items()):
            readable = set(self.readable_versions(principal, key, versions))
            if versions[-1][0] not in readable:
                continue
            details = [self.details_graph(key, n) for n, _g, vis in versions
                       if n in readable and vis != "public"]
            default += [versions[-1][1], self.prov_graph(key), *details]
            named += [g for n, g, _v in versions if n in readable] + [self.prov_graph(key),
                                                                      *details]
        return default, named

    def find_idempotent(self, digest: str) -> PlanVersion | None:
        """The version stored with idempotency hash ``digest`` (:func:`idempotency_hash`)."""
        graphs = self._prov_graphs()
        if not graphs:
            return None
        rows = self.store.select(
            f"SELECT ?net ?n WHERE {{ ?v <{VKG}idempotencyKey> ?k ; <{VKG}network> ?net ; "
            f"<{VKG}versionNumber> ?n FILTER(STR(?k) = \"{digest}\") }}",
            default_graph=graphs, named_graphs=[])
        for r in rows:
            key = self.network_key(r["net"])
            found = [v for v in self.versions(key) if v.version == int(r["n"])] if key else []
            if found:
                return found[0]
        return None

    # -- writing ---------------------------------------------------------------------------
    def submit(self, key: str, triples: list[ox.Triple], *, principal: Principal,
               filename: str, content: bytes, visibility: str | None = None,
               plan: str | None = None, idempotency: str | None = None,
               dedupe: bool = False) -> PlanVersion:
        """Store a validated plan as the next version of its network's plan, atomically.

        Raises :class:`AlreadyStored` instead when ``idempotency`` (a hash from
        :func:`idempotency_hash`) is recorded by a stored version, or, with ``dedupe``, when
        the current version has the same content and visibility: a retried submission is
        stored once."""
        visibility = visibility or default_visibility(key)
        if visibility not in VISIBILITIES:
            raise PlanError("zichtbaarheid is 'public' of 'restricted' / visibility is "
                            "'public' or 'restricted'")
        state = _state(self.store)
        with state.lock:
            previous = self.versions(key, count_actions=False)
            found = self.find_idempotent(idempotency) if idempotency else None
            if found is None and dedupe and previous and previous[-1].checksum == checksum(
                    content) and previous[-1].visibility == visibility:
                found = self.versions(key)[-1]
            if found is not None:
                raise AlreadyStored(found)
            previous, n, owner = self._next_number(key, previous)
            graph = self.version_graph(key, n)
            content_triples = tallies.with_tallies(triples, graph, self.base)
            quads = [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(graph))
                     for t in content_triples]
            quads += self._provenance(key, n, principal=principal, filename=filename,
                                      content=content, visibility=visibility,
                                      previous=previous[-1].iri if previous else None,
                                      plan=plan or self.plan_iri(key),
                                      idempotency=idempotency)
            try:
                self._write(key, n, quads)
            except BaseException:
                if owner is not None:  # the number is free again (a won claim stays: see
                    claims.release(self.store, key, n, owner)  # :mod:`.claims`)
                raise
            finally:
                invalidate(self.store)
            current = self.versions(key)
        if not current or current[-1].version < n or current[n - 1].version != n:
            raise PlanError("de nieuwe versie is niet opgeslagen / the new version was not "
                            "stored")
        return current[n - 1]

    def _next_number(self, key: str, previous: list[PlanVersion]
                     ) -> tuple[list[PlanVersion], int, str | None]:
        """(the versions so far, the next version number, the claim's owner). On the embedded
        store the process lock suffices (``previous`` is read under it); on a remote store,
        where other instances submit too, the number is claimed in the store
        (:mod:`.claims`)."""
        if getattr(self.store, "kind", "embedded") == "embedded":
            return previous, (previous[-1].version + 1 if previous else 1), None
        owner = claims.new_owner()
        deadline = time.monotonic() + CLAIM_PATIENCE_SECONDS
        while True:
            previous = self.versions(key, count_actions=False)
            n = previous[-1].version + 1 if previous else 1
            if claims.try_claim(self.store, key, n, owner):
                return previous, n, owner
            if time.monotonic() > deadline:
                raise PlanError("geen vrij versienummer gevonden, probeer het opnieuw / no free "
                                "version number, try again")
            time.sleep(random.uniform(0.005, 0.05))

    def _provenance(self, key: str, n: int, *, principal: Principal, filename: str,
                    content: bytes, visibility: str, previous: str | None,
                    plan: str, idempotency: str | None = None) -> list[ox.Quad]:
        v = ox.NamedNode(self.version_iri(key, n))
        g = ox.NamedNode(self.prov_graph(key))
        details = g if visibility == "public" else ox.NamedNode(self.details_graph(key, n))
        now = datetime.now(UTC).isoformat(timespec="milliseconds")

        def nn(iri: str) -> ox.NamedNode:
            return ox.NamedNode(iri)

        rows: list[tuple[str, ox.NamedNode | ox.Literal]] = [
            (RDF_TYPE, nn(VKG + "PlanVersion")),
            (RDF_TYPE, nn(PROV + "Entity")),
            (VKG + "versionNumber", _lit(str(n), XSD + "integer")),
            (VKG + "versionGraph", nn(self.version_graph(key, n))),
            (DCT + "isVersionOf", nn(plan)),
            (VKG + "network", nn(self.network_iri(key))),
            (PROV + "generatedAtTime", _lit(now, XSD + "dateTime")),
            (DCT + "created", _lit(now, XSD + "dateTime")),
            (VKG + "checksum", _lit(checksum(content))),
            (VKG + "fileName", _lit(filename or "plan")),
            (VKG + "visibility", _lit(visibility)),
        ]
        if principal.org:
            rows.append((PROV + "wasAttributedTo", nn(principal.org)))
        if principal.token_id:
            rows.append((VKG + "submittedWithToken", _lit(principal.token_id)))
        if principal.team:
            rows.append((VKG + "submittedByTeam", _lit("true", XSD + "boolean")))
        if previous:
            rows.append((PROV + "wasRevisionOf", nn(previous)))
        if idempotency:
            rows.append((VKG + "idempotencyKey", _lit(idempotency)))
        return [ox.Quad(v, nn(p), o, details if p in DETAILS else g) for p, o in rows]

    def protect_restricted_details(self) -> list[str]:
        """Move the details of restricted versions stored before they had a graph of their own
        out of the provenance graph (see the module docstring); returns the versions moved."""
        moved = []
        values = " ".join(f"<{p}>" for p in DETAILS)
        for key, versions in self._index().items():
            prov = self.prov_graph(key)
            for n, _g, vis in versions:
                if vis == "public":
                    continue
                v = self.version_iri(key, n)
                if not self.store.ask(f"ASK {{ GRAPH <{prov}> {{ <{v}> ?p ?o "
                                      f"VALUES ?p {{ {values} }} }} }}",
                                      default_graph=[], named_graphs=[prov]):
                    continue
                self.store.update(
                    f"DELETE {{ GRAPH <{prov}> {{ <{v}> ?p ?o }} }} "
                    f"INSERT {{ GRAPH <{self.details_graph(key, n)}> {{ <{v}> ?p ?o }} }} "
                    f"WHERE {{ GRAPH <{prov}> {{ <{v}> ?p ?o VALUES ?p {{ {values} }} }} }}")
                moved.append(v)
        if moved:
            self.store.flush()
            invalidate(self.store)
        return moved

    def _write(self, key: str, n: int, quads: list[ox.Quad]) -> None:
        """All quads in one transaction; refuses when version ``n`` exists already."""
        graph = self.version_graph(key, n)
        if getattr(self.store, "kind", "embedded") == "embedded":
            if graph in self.store.graphs():
                raise PlanError(f"versie {n} bestaat al / version {n} exists already")
            self.store.add_quads(quads)  # pyoxigraph ``extend``: one transaction
        elif len(quads) <= REMOTE_ONE_UPDATE_QUADS:
            body = "\n".join(f"GRAPH {q.graph_name} {{ {q.subject} {q.predicate} {q.object} }}"
                              for q in quads)
            self.store.update(
                f"INSERT {{ {body} }} WHERE {{ FILTER NOT EXISTS {{ GRAPH <{graph}> "
                f"{{ ?s ?p ?o }} }} }}")
        else:
            # too large for one update of some servers (Virtuoso: "SQL text has exceeded 10000
            # lines"): the version graph goes to a staging graph in chunks, then one request
            # moves it in and adds the provenance, which is what makes the version exist (the
            # number is ours: claimed, see :mod:`.claims`)
            target = ox.NamedNode(graph)
            staging = ox.NamedNode(graph + "#staging")
            self.store.drop_graph(staging.value)
            self.store.add_quads(ox.Quad(q.subject, q.predicate, q.object, staging)
                                 for q in quads if q.graph_name == target)
            body = "\n".join(f"GRAPH {q.graph_name} {{ {q.subject} {q.predicate} {q.object} }}"
                              for q in quads if q.graph_name != target)
            self.store.update(f"MOVE SILENT GRAPH {staging} TO GRAPH {target} ;\n"
                              f"INSERT {{ {body} }} WHERE {{}}")
        self.store.flush()

    def version_triples(self, graph: str) -> list[ox.Triple]:
        """The triples of a version graph as submitted: without the derived action tallies."""
        result = self.store.query("SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }",
                                  default_graph=[graph], named_graphs=[graph])
        return tallies.without_tallies(
            (ox.Triple(r["s"], r["p"], r["o"]) for r in result), self.base)

    def add_missing_tallies(self) -> list[str]:
        """Give every stored version graph with actions but without tallies its tallies (plans
        submitted before tallies existed, or restored from such a backup); returns the graphs.
        One transaction per graph; versions are never changed otherwise."""
        vkg = self.base + "def/"
        versions = [g for versions in self._index().values() for _n, g, _v in versions]
        if not versions:
            return []

        def graphs_with(predicate: str) -> set[str]:
            rows = self.store.select(
                f"SELECT ?g WHERE {{ GRAPH ?g {{ ?s <{vkg}{predicate}> ?o }} }} GROUP BY ?g",
                default_graph=[], named_graphs=versions)
            return {r["g"] for r in rows}

        missing = sorted(graphs_with("hasAction") - graphs_with("actionTally"))
        state = _state(self.store)
        with state.lock:
            for graph in missing:
                triples = self.version_triples(graph)
                node = ox.NamedNode(graph)
                self.store.add_quads(
                    ox.Quad(t.subject, t.predicate, t.object, node)
                    for t in tallies.tally_triples(triples, graph, self.base))
            if missing:
                self.store.flush()
                invalidate(self.store)
        return missing
