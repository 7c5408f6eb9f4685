"""Texts of the pages that the code chooses at run time, marked for the catalogue
(:mod:`vitaalkg.web.i18n`): translated with ``_()`` where they are shown."""

from __future__ import annotations

from .i18n import N_, gettext

#: the kinds in ``/id/{kind}/…`` as a list's title and breadcrumb
KIND_LABELS = {
    "veiligheidsregio": N_("veiligheidsregio"), "netwerk": N_("netwerk"),
    "organisatie": N_("organisatie"), "thema": N_("thema"), "sector": N_("sector"),
    "actieplan": N_("actieplan"), "actie": N_("actie"), "sectoragenda": N_("sectoragenda"),
    "agenda": N_("agenda"), "lac-doel": N_("LAC-doel"), "aandachtspunt": N_("aandachtspunt"),
    "instrument": N_("instrument"), "taak": N_("taak"), "wetsartikel": N_("wetsartikel"),
    "wet": N_("wet"), "bron": N_("bron"), "status": N_("status"),
    "bewering": N_("bewering"), "mijlpaal": N_("mijlpaal"), "project": N_("project"),
    "samenwerkingspartij": N_("samenwerkingspartij"), "rolbeschrijving": N_("rolbeschrijving"),
    "menukaart": N_("menukaart"), "betrouwbaarheid": N_("betrouwbaarheid"),
}


def kind_label(kind: str) -> str:
    """The kind of ``/id/{kind}/`` for people, in the page's language."""
    known = KIND_LABELS.get(kind)
    return gettext(known) if known else kind.replace("-", " ")
