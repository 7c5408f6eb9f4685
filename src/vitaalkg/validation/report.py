"""Validation reports: JSON (the contract), readable text, Turtle (sh:ValidationReport), HTML.

Dutch first; ``lang="en"`` for English.
"""

from __future__ import annotations

import html
import json
from typing import Any

import pyoxigraph as ox

from .engine import SH, Finding, Report

TEXTS = {
    "nl": {
        "conforms": "voldoet", "not_conforms": "voldoet NIET",
        "violations": "overtredingen", "warnings": "waarschuwingen", "actions": "acties",
        "plan": "plan", "action": "actie", "row": "rij", "value": "waarde", "rule": "regel",
        "severity": {"Violation": "overtreding", "Warning": "waarschuwing", "Info": "info"},
        "reference": "peildatum", "title": "Controle actieplan", "summary": "Samenvatting",
        "files": "bestanden", "unreadable": "onleesbaar", "none": "Geen bevindingen.",
        "message": "melding", "error": "fout",
    },
    "en": {
        "conforms": "conforms", "not_conforms": "does NOT conform",
        "violations": "violations", "warnings": "warnings", "actions": "actions",
        "plan": "plan", "action": "action", "row": "row", "value": "value", "rule": "rule",
        "severity": {"Violation": "violation", "Warning": "warning", "Info": "info"},
        "reference": "reference date", "title": "Action plan check", "summary": "Summary",
        "files": "files", "unreadable": "unreadable", "none": "No findings.",
        "message": "message", "error": "error",
    },
}


def _t(lang: str) -> dict[str, Any]:
    return TEXTS.get(lang, TEXTS["nl"])


# -- JSON ------------------------------------------------------------------------------------
def finding_json(f: Finding, lang: str = "nl") -> dict[str, Any]:
    return {
        "severity": f.severity, "focusNode": f.focus, "actie": f.actie, "rij": f.row,
        "path": f.path, "value": f.value, "message": f.message(lang),
        "sourceShape": f.shape, "regel": f.rule_label(lang),
        "sourceConstraintComponent": f.component,
    }


def to_json(report: Report, lang: str = "nl") -> dict[str, Any]:
    """``{"conforms", "violations", "warnings", "results": [...]}`` as in the contract."""
    return {
        "conforms": report.conforms, "violations": report.violations,
        "warnings": report.warnings,
        "results": [finding_json(f, lang) for f in report.findings],
        "file": report.name, "actions": report.actions,
        "referenceDate": report.reference_date.isoformat() if report.reference_date else None,
    }


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


# -- text ------------------------------------------------------------------------------------
def _groups(report: Report) -> list[tuple[str, list[Finding]]]:
    groups: dict[str, list[Finding]] = {}
    for f in report.findings:
        if f.actie is not None or f.row is not None:
            label = f"{f.actie or '?'}" + (f" (rij {f.row})" if f.row is not None else "")
        else:
            label = f.focus
        groups.setdefault(label, []).append(f)
    return list(groups.items())


def summary_line(report: Report, lang: str = "nl") -> str:
    t = _t(lang)
    verdict = t["conforms"] if report.conforms else t["not_conforms"]
    return (f"{report.name}: {verdict} — {report.violations} {t['violations']}, "
            f"{report.warnings} {t['warnings']}, {report.actions} {t['actions']}")


def to_text(report: Report, lang: str = "nl") -> str:
    """Readable report, grouped per action."""
    t = _t(lang)
    lines = [summary_line(report, lang)]
    if report.reference_date:
        lines.append(f"  {t['reference']}: {report.reference_date.isoformat()}")
    for label, findings in _groups(report):
        head = f"{t['action']} {label}" if findings[0].actie or findings[0].row else label
        if lang == "en":
            head = head.replace("(rij ", "(row ")
        lines.append("")
        lines.append(f"  {head}")
        for f in findings:
            sev = t["severity"].get(f.severity, f.severity)
            detail = f" [{t['value']}: {f.value}]" if f.value is not None and f.value != f.focus \
                else ""
            lines.append(f"    - {sev}: {f.message(lang)}{detail}  ({t['rule']}: "
                         f"{f.rule_label(lang)})")
    if not report.findings:
        lines.append(f"  {t['none']}")
    return "\n".join(lines) + "\n"


# -- Turtle (sh:ValidationReport) -------------------------------------------------------------
def _path_node(path: Any, triples: list[ox.Triple]) -> ox.Term:
    kind = path[0]
    if kind == "pred":
        return ox.NamedNode(path[1])
    node = ox.BlankNode()
    if kind in ("seq", "alt"):
        items = [_path_node(p, triples) for p in path[1]]
        head: ox.Term = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#nil")
        for item in reversed(items):
            cell = ox.BlankNode()
            triples.append(ox.Triple(cell, ox.NamedNode(
                "http://www.w3.org/1999/02/22-rdf-syntax-ns#first"), item))
            triples.append(ox.Triple(cell, ox.NamedNode(
                "http://www.w3.org/1999/02/22-rdf-syntax-ns#rest"), head))
            head = cell
        if kind == "seq":
            return head
        triples.append(ox.Triple(node, ox.NamedNode(SH + "alternativePath"), head))
        return node
    pred = {"inv": "inversePath", "star": "zeroOrMorePath", "plus": "oneOrMorePath",
            "opt": "zeroOrOnePath"}[kind]
    triples.append(ox.Triple(node, ox.NamedNode(SH + pred), _path_node(path[1], triples)))
    return node


def to_turtle(report: Report, lang: str | None = None) -> bytes:
    """The standard ``sh:ValidationReport`` (all message languages unless ``lang``)."""
    sh = lambda n: ox.NamedNode(SH + n)  # noqa: E731
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    xsd_bool = ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")
    root = ox.BlankNode()
    triples = [ox.Triple(root, rdf_type, sh("ValidationReport")),
               ox.Triple(root, sh("conforms"),
                         ox.Literal("true" if report.conforms else "false", datatype=xsd_bool))]
    for f in report.findings:
        r = ox.BlankNode()
        triples += [ox.Triple(root, sh("result"), r),
                    ox.Triple(r, rdf_type, sh("ValidationResult")),
                    ox.Triple(r, sh("resultSeverity"), sh(f.severity)),
                    ox.Triple(r, sh("sourceConstraintComponent"), ox.NamedNode(f.component))]
        if f.focus_term is not None:
            triples.append(ox.Triple(r, sh("focusNode"), f.focus_term))
        if f.shape.startswith("_:"):
            pass
        else:
            triples.append(ox.Triple(r, sh("sourceShape"), ox.NamedNode(f.shape)))
        if f.shacl_path is not None:
            triples.append(ox.Triple(r, sh("resultPath"), _path_node(f.shacl_path, triples)))
        if f.value_term is not None and not isinstance(f.value_term, ox.BlankNode):
            triples.append(ox.Triple(r, sh("value"), f.value_term))
        for msg_lang, text in f.messages.items():
            if lang and msg_lang and msg_lang != lang:
                continue
            literal = ox.Literal(text, language=msg_lang) if msg_lang else ox.Literal(text)
            triples.append(ox.Triple(r, sh("resultMessage"), literal))
    return ox.serialize(triples, format=ox.RdfFormat.TURTLE,
                        prefixes={"sh": SH, "xsd": "http://www.w3.org/2001/XMLSchema#",
                                  "vkg": "https://w3id.org/vitaalkg/def/",
                                  "vkgsh": "https://w3id.org/vitaalkg/def/shapes#"})


# -- HTML --------------------------------------------------------------------------------------
CSS = """body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem;color:#222}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:1.5rem}
.ok{color:#1a7f37}.bad{color:#b42318}table{border-collapse:collapse;width:100%}
th,td{border:1px solid #ccc;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}.Violation{background:#fdecea}.Warning{background:#fff6e0}
.meta{color:#555}"""


def to_html(reports: list[Report], lang: str = "nl",
            errors: list[tuple[str, str]] | None = None) -> str:
    """One page for one or more plans, to mail around."""
    t = _t(lang)
    e = html.escape
    parts = [f"<!DOCTYPE html><html lang=\"{e(lang)}\"><head><meta charset=\"utf-8\">"
             f"<title>{e(t['title'])}</title><style>{CSS}</style></head><body>",
             f"<h1>{e(t['title'])}</h1>"]
    for report in reports:
        cls = "ok" if report.conforms else "bad"
        parts.append(f"<h2 class=\"{cls}\">{e(summary_line(report, lang))}</h2>")
        if report.reference_date:
            parts.append(f"<p class=\"meta\">{e(t['reference'])}: "
                         f"{report.reference_date.isoformat()}</p>")
        if not report.findings:
            parts.append(f"<p>{e(t['none'])}</p>")
            continue
        parts.append(f"<table><thead><tr><th>{e(t['action'])}</th><th>{e(t['row'])}</th>"
                     f"<th>{e(t['severity']['Violation'])}/{e(t['severity']['Warning'])}</th>"
                     f"<th>{e(t['message'])}</th><th>{e(t['value'])}</th>"
                     f"<th>{e(t['rule'])}</th></tr></thead><tbody>")
        for f in report.findings:
            parts.append(
                f"<tr class=\"{e(f.severity)}\"><td>{e(f.actie or f.focus)}</td>"
                f"<td>{'' if f.row is None else f.row}</td>"
                f"<td>{e(t['severity'].get(f.severity, f.severity))}</td>"
                f"<td>{e(f.message(lang))}</td><td>{e(f.value or '')}</td>"
                f"<td>{e(f.rule_label(lang))}</td></tr>")
        parts.append("</tbody></table>")
    for name, message in errors or []:
        parts.append(f"<h2 class=\"bad\">{e(name)}: {e(t['unreadable'])}</h2><p>{e(message)}</p>")
    parts.append("</body></html>")
    return "\n".join(parts)
