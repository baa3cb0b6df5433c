"""Names a card prints that the generated cards never hold: read exactly, each is given as
printed. The list of name syllables restores marks OCR lost, so a syllable it lacks that shares
its letters with one it holds was "restored" into that one (TÔN NỮ into TÔN NỤ); and the
apostrophe of names of the Central Highlands was dropped (H'HEN into H HEN)."""

from __future__ import annotations

import pytest

from ingest.extract import extract
from test_card_fields import page, printed_front


@pytest.mark.parametrize("name", ["TÔN NỮ THỊ HỒNG", "VI VĂN THƯỞNG", "THÀO A PHỬ", "TRẦN VĂN LƯỢNG",
                                  "NGUYỄN THỊ LỰU", "LÊ VĂN THỌ", "PHẠM VĂN VƯỢNG", "KSOR H'BÍU",
                                  "H' HEN NIÊ", "NGUYỄN VĂN PHƯỚC"])
def test_a_name_read_exactly_is_given_as_printed(name):
    rows = printed_front(citizen_id="066190012345", full_name=name, birth="12/03/1990", sex="Nam",
                         residence="Thôn 5, Xã Ea Tu, Buôn Ma Thuột, Đắk Lắk", expiry="12/03/2030")
    fields = extract("citizen_id_card", [page(rows)])
    assert fields["full_name"].value == name
