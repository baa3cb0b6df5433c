"""The front and the back of one ID card, received as two documents of a dossier, are one card.

A clerk photographs each side of a card; each becomes a document. Once both are read they are
paired: a front (it names the holder) with a back (date of issue, identifying features, the
MRZ), when the fields both state agree on the citizen ID (or, on old cards whose back states
no number, when the dossier holds exactly one front and one back). Each then names the other
(``other_side``), and every field both sides state is checked against the other side: agreeing,
it is confirmed; disagreeing, both go to the clerk.
"""

from __future__ import annotations

from repository.model import Document, DocumentStatus, Dossier, Field

SHARED = ("citizen_id", "date_of_birth", "sex", "date_of_expiry")  # what a back's MRZ repeats of the front
FRONT = ("full_name",)  # only a front prints the holder's name
CONFIRMED = 0.95  # the confidence, at least, of a field the other side of the card states too


def pairs(dossier: Dossier) -> list[tuple[Document, Document]]:
    """(front, back) of each card in the dossier not yet paired."""
    cards = [d for d in dossier.documents if d.status == DocumentStatus.DONE and d.doc_type == "citizen_id_card"]
    fronts = [d for d in cards if any(f in d.fields for f in FRONT)]
    backs = [d for d in cards if d not in fronts]
    found = []
    for back in backs:
        number = _value(back, "citizen_id")
        matching = [f for f in fronts if number is not None and _value(f, "citizen_id") == number]
        if not matching and number is None and len(fronts) == 1 and len(backs) == 1:
            matching = fronts
        if len(matching) == 1 and (matching[0].other_side != back.id or back.other_side != matching[0].id):
            found.append((matching[0], back))
    return found


def pair_all(dossier: Dossier) -> list[str]:
    """Pair every card's sides in the dossier (in place); the ids of the documents changed."""
    changed = []
    for front, back in pairs(dossier):
        front.fields, back.fields = cross_check(front, back)
        front.other_side, back.other_side = back.id, front.id
        changed += [front.id, back.id]
    return changed


def cross_check(front: Document, back: Document) -> tuple[dict[str, Field], dict[str, Field]]:
    """The fields of the front and of the back, each shared field checked against the other side."""
    front_fields, back_fields = dict(front.fields), dict(back.fields)
    for name in SHARED:
        a, b = front_fields.get(name), back_fields.get(name)
        if a is None or b is None or a.confirmed_at or b.confirmed_at:
            continue
        if str(a.value) == str(b.value):
            for fields, f in ((front_fields, a), (back_fields, b)):
                if not f.problem:
                    fields[name] = f.model_copy(update={"confidence": max(f.confidence, CONFIRMED), "review": False})
        else:
            front_fields[name] = a.model_copy(update={
                "review": True, "problem": f"the back of the card says {b.value}"})
            back_fields[name] = b.model_copy(update={
                "review": True, "problem": f"the front of the card says {a.value}"})
    return front_fields, back_fields


def _value(document: Document, name: str) -> str | None:
    f = document.fields.get(name)
    return str(f.value) if f is not None and not f.problem else None
