"""GET /v1/search on a real `hoso serve`: the query syntax, filters, facets and sort as the web
pages send them, on dossiers ingested through the API."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import vnpages
from harness import post, unique_line, wait_done

VIETNAM = timezone(timedelta(hours=7))


def found(client, **params) -> list[str]:
    response = client.get("/v1/search", params=params)
    assert response.status_code == 200, response.text
    return [hit["document_id"] for hit in response.json()["hits"]]


def test_search_syntax_filters_facets_and_sort(client, tmp_path):
    token, _ = unique_line()
    decision = vnpages.born_digital_pdf(tmp_path / "qd.pdf", [f"Quyết định khen thưởng {token}",
                                                              "Số 684/QĐ-BTTTT của Bộ"])
    letter = vnpages.born_digital_pdf(tmp_path / "cv.pdf", [f"Công văn {token} về tiền thưởng, khen ngợi"])
    response = post(client, [("qd.pdf", decision.read_bytes(), "application/pdf"),
                             ("cv.pdf", letter.read_bytes(), "application/pdf")], procedure_code="1.009999")
    assert response.status_code == 202, response.text
    dossier = wait_done(client, response.json()["dossier_code"])
    first, second = (d["id"] for d in dossier["documents"])

    assert sorted(found(client, q=f"{token} khen thưởng")) == sorted([first, second])
    assert found(client, q=f'{token} "khen thuong"') == [first]
    assert found(client, q=f'{token} -"khen thưởng"') == [second]
    assert found(client, q=f"{token} 684/QD") == [first]
    code = dossier["dossier_code"]
    assert sorted(found(client, q=f"{token} {code[:-1]}")) == sorted([first, second])  # a code prefix
    assert found(client, q=f"{token} -{code}") == []

    day = datetime.fromisoformat(dossier["received_at"]).astimezone(VIETNAM).date()
    body = client.get("/v1/search", params={"q": token, "received_from": day.isoformat(),
                                            "received_to": day.isoformat(), "sort": "newest",
                                            "procedure_code": "1.009999"}).json()
    assert sorted(h["document_id"] for h in body["hits"]) == sorted([first, second])
    assert (body["total"], body["total_exact"], body["query"]) == (2, True, token)
    assert body["facets"]["agency_code"] == [{"value": "000.17.22.H56", "count": 2}]
    assert body["facets"]["procedure_code"] == [{"value": "1.009999", "count": 2}]
    assert sum(f["count"] for f in body["facets"]["doc_type"]) == 2
    assert found(client, q=token, received_to=(day - timedelta(days=1)).isoformat()) == []
    assert found(client, q=token, received_from=(day + timedelta(days=1)).isoformat()) == []

    for params, status in (({"received_from": "31/05/2021"}, 422), ({"sort": "oldest"}, 422),
                           ({"received_from": day.isoformat(), "received_to": (day - timedelta(days=1)).isoformat()},
                            400)):
        response = client.get("/v1/search", params={"q": token, **params})
        assert response.status_code == status, (params, response.text)
    for q in ('-"khen thưởng"', '"', "-", '" -'):
        response = client.get("/v1/search", params={"q": q})
        assert response.status_code == 400 and response.json()["error"] == "bad_query", (q, response.text)
    for q in (f'{token} "khen', f'{token} khen"', f"{token} -", f'{token} -"', f"{token} NEAR(khen"):
        assert client.get("/v1/search", params={"q": q}).status_code == 200, q
