"""ID cards photographed on both sides, end to end: a real server, real Tesseract. Each side is a
document; the two sides of one card are paired, the fields both state checked against each
other, and what the back alone states (date of issue, identifying features) is served for the
card's holder. Photos come from tests/vncards.py (seeds whose photos read well, checked by hand)."""

from __future__ import annotations

import time
from functools import lru_cache

import vncards
from harness import post, wait_done
from repository.model import Dossier

SHARED = ("citizen_id", "date_of_birth", "sex", "date_of_expiry")  # what a chip card's back repeats


@lru_cache(maxsize=None)
def sample(seed: int):
    return vncards.sample(seed)


def photo(seed: int, side: int) -> tuple[str, bytes, str]:
    card, picture = sample(seed)[1][side]
    return f"{seed}-{card.kind}-{card.side}.jpg", picture.jpeg, "image/jpeg"


def ingest(client, server, files: list[tuple[str, bytes, str]]) -> tuple[dict, Dossier]:
    """The dossier as the API shows it once every document is read and the sides are paired, and
    its manifest (which names each side's other side)."""
    response = post(client, files)
    assert response.status_code == 202, response.text
    code = response.json()["dossier_code"]
    pending = server.data_dir / "store" / "pending" / code  # the work queue's marker
    assert pending.exists()
    wait_done(client, code)
    # The sides are paired after the last document is done; the dossier leaves the work queue then.
    deadline = time.monotonic() + 30
    while pending.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not pending.exists(), f"dossier {code} still queued"
    manifest = server.data_dir / "store" / "dossiers" / code / "manifest.json"
    dossier = client.get(f"/v1/dossiers/{code}").json()
    return dossier, Dossier.model_validate_json(manifest.read_text())


def other_sides(manifest: Dossier) -> dict[str, str | None]:
    return {d.id: d.other_side for d in manifest.documents}


def values(document: dict) -> dict[str, str]:
    return {name: f["value"] for name, f in document["fields"].items()}


def data(client, citizen_id: str, fields: str) -> dict:
    response = client.get(f"/v1/citizens/{citizen_id}/data", params={"purpose": "kiểm tra thẻ", "fields": fields})
    assert response.status_code == 200, response.text
    return response.json()


def test_the_two_sides_of_a_chip_card_are_one_card(client, server):
    c, ((front_card, _), (back_card, _)) = sample(25)
    assert front_card.kind == "chip-2021" and front_card.qr and back_card.mrz
    dossier, manifest = ingest(client, server, [photo(25, 0), photo(25, 1)])
    front, back = dossier["documents"]
    assert front["status"] == back["status"] == "done", dossier
    assert front["doc_type"] == back["doc_type"] == "citizen_id_card"
    assert other_sides(manifest) == {front["id"]: back["id"], back["id"]: front["id"]}

    assert values(front) == front_card.truth | {"date_of_issue": c.date_of_issue.isoformat()}  # the QR states it
    assert values(back) == back_card.truth | {"nationality": "Việt Nam"}  # the MRZ states it
    assert back["fields"]["citizen_id"]["value"] == front["fields"]["citizen_id"]["value"] == c.citizen_id
    for name in SHARED:
        for document in (front, back):
            f = document["fields"][name]
            assert f["confidence"] >= 0.95 and f["review"] is False and f["problem"] is None, (name, f)
    assert not [(n, f) for d in (front, back) for n, f in d["fields"].items() if f["review"]]

    # What the back alone states is the holder's, with the back as its source.
    answer = data(client, c.citizen_id, "date_of_issue,identifying_features,full_name")
    features = answer["fields"]["identifying_features"]
    assert features["value"] == c.identifying_features and features["conflict"] is False
    assert [v["provenance"]["document_id"] for v in features["values"]] == [back["id"]]
    issued = answer["fields"]["date_of_issue"]
    assert issued["value"] == c.date_of_issue.isoformat() and issued["conflict"] is False
    here = {v["provenance"]["document_id"] for v in issued["values"]
            if v["provenance"]["dossier_code"] == dossier["dossier_code"]}
    assert here == {front["id"], back["id"]}  # the front's QR code states it too
    assert answer["fields"]["full_name"]["value"] == c.full_name and answer["missing"] == []


def test_sides_of_two_cards_are_not_paired(client, server):
    one, _ = sample(25)
    other, ((_, _), (other_back, _)) = sample(1)
    assert other_back.kind == "chip-2021" and one.citizen_id != other.citizen_id
    dossier, manifest = ingest(client, server, [photo(25, 0), photo(1, 1)])
    front, back = dossier["documents"]
    assert front["status"] == back["status"] == "done", dossier
    assert front["doc_type"] == back["doc_type"] == "citizen_id_card"
    assert front["fields"]["citizen_id"]["value"] == one.citizen_id
    assert back["fields"]["citizen_id"]["value"] == other.citizen_id  # from its MRZ
    assert other_sides(manifest) == {front["id"]: None, back["id"]: None}
    for name in SHARED:  # nothing was checked against the other card
        assert "card says" not in (front["fields"][name]["problem"] or "") + (back["fields"][name]["problem"] or "")


def test_the_back_of_an_old_card_is_its_fronts_and_so_are_its_facts(client, server):
    """A 12-digit card without chip: its back states no number. The one front and the one back of
    the dossier are one card, and the back's facts are the front's holder's."""
    c, ((front_card, _), (back_card, _)) = sample(0)
    assert front_card.kind == "cmnd-12" and "citizen_id" not in back_card.truth
    dossier, manifest = ingest(client, server, [photo(0, 0), photo(0, 1)])
    front, back = dossier["documents"]
    assert front["status"] == back["status"] == "done", dossier
    assert front["doc_type"] == back["doc_type"] == "citizen_id_card"
    assert other_sides(manifest) == {front["id"]: back["id"], back["id"]: front["id"]}
    assert values(front) == front_card.truth and values(back) == back_card.truth
    answer = data(client, c.citizen_id, "identifying_features,date_of_issue,date_of_birth")
    assert answer["missing"] == []
    for name, source in (("identifying_features", back), ("date_of_issue", back), ("date_of_birth", front)):
        field = answer["fields"][name]
        assert [v["provenance"]["document_id"] for v in field["values"]] == [source["id"]], name
    assert answer["fields"]["identifying_features"]["value"] == c.identifying_features
    assert answer["fields"]["date_of_issue"]["value"] == c.date_of_issue.isoformat()


def test_a_card_photo_with_glare_over_the_name_is_to_be_taken_again(client, server):
    """Seed 0's front (an old 12-digit card: no code confirms its print) with glare laid over the
    last word of the name: the document and the status poll both tell the clerk to retake it,
    naming the name; the clean photo beside it is told nothing."""
    card, clean = sample(0)[1][0]
    glared = vncards.glare_at(clean, (50.0, 28.5), (8.0, 2.2))
    files = [("loa.jpg", glared, "image/jpeg"), ("sach.jpg", clean.jpeg, "image/jpeg")]
    dossier, manifest = ingest(client, server, files)
    spoilt, whole = dossier["documents"]
    assert spoilt["capture"]["retake"] is True
    [problem] = spoilt["capture"]["problems"]
    assert problem["kind"] == "glare" and problem["zones"] == ["full_name"]
    assert problem["text"].startswith("glare over the full name")
    name = spoilt["fields"]["full_name"]
    assert name["review"] is True and name["problem"] == "glare over the field: check it on the card"
    assert whole["capture"] == {"retake": False, "problems": []}
    assert values(whole)["full_name"] == card.truth["full_name"]
    assert manifest.documents[0].capture.retake  # kept in the manifest, for whoever reads the dossier later
    # The status poll, which says nothing of the citizen, says how the photo was taken.
    progress = client.get(f"/v1/dossiers/{dossier['dossier_code']}/status").json()
    assert [d["capture"]["retake"] for d in progress["documents"]] == [True, False]
    assert progress["documents"][0]["capture"]["problems"][0]["zones"] == ["full_name"]
