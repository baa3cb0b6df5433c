"""Claims on a dossier in the store: one holder at a time, renewed while it reads, handed back."""

from __future__ import annotations

import json

from repository.records import Records
from repository.store import open_store

CODE = "000.17.22.H56-261206-0001"


def holder(records: Records) -> dict:
    key = sorted(records.store.list(f"claims/{CODE}/"))[-1]
    return json.loads(records.store.get(key))


def test_a_renewed_claim_holds_and_a_claim_handed_back_is_taken_at_once(tmp_path):
    records = Records(open_store(f"file://{tmp_path}"))
    alive = lambda owner: True  # noqa: E731 - both owners run, on other machines as far as we know
    assert records.claim(CODE, "a", 5, alive)
    assert not records.claim(CODE, "b", 5, alive)  # held
    first = holder(records)["expires"]
    assert records.renew(CODE, "a", 60) and holder(records)["expires"] > first + 50
    assert not records.renew(CODE, "b", 60)  # only the holder renews
    assert not records.claim(CODE, "b", 5, alive)
    assert records.renew(CODE, "a", 0)  # handed back: expired now
    assert records.claim(CODE, "b", 5, alive)
    assert holder(records)["owner"] == "b" and not records.renew(CODE, "a", 60)
