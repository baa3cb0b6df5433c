"""API fuzzing with Schemathesis: every operation of the OpenAPI schema, called with an admin key
on a real `hoso serve`, must answer without a server error, with a status the schema documents,
and with a body of the documented shape.

Examples are derandomized (the same run every time) and bounded per operation
(HOSO_FUZZ_EXAMPLES, default 20, for positive and again for negative data), with no shrinking,
so the whole file runs in `make test` in about a minute. Half the generated path parameters are
replaced by those of a real, finished dossier, so the routes are exercised past their 404s.
"""

from __future__ import annotations

import os
import zlib

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

import vnpages
from api.app import create_app
from api.settings import Settings
from harness import Server, png_bytes, post, wait_done

EXAMPLES = int(os.environ.get("HOSO_FUZZ_EXAMPLES", "20"))
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance, content_type_conformance]
CITIZEN = "001090012345"

# The schema the server serves, built by the same factory (the test below checks they agree).
APP_SCHEMA = create_app(Settings(data_dir="/nonexistent/hoso-fuzz")).openapi()
SCHEMA = schemathesis.openapi.from_dict(APP_SCHEMA)
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory):
    server = Server(tmp_path_factory.mktemp("hoso-fuzz"), {"HOSO_WORKERS": "1"}).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def known(fuzz_server) -> dict[str, str]:
    """Path parameters of a real dossier, read and signed, for the fuzzer to aim at."""
    page = vnpages.render_page(["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", f"Số định danh cá nhân: {CITIZEN}"], dpi=100)
    with fuzz_server.client() as client:
        created = post(client, [("trang-1.png", png_bytes(page), "image/png")], applicant_id=CITIZEN)
        assert created.status_code == 202, created.text
        dossier = wait_done(client, created.json()["dossier_code"])
    assert dossier["status"] == "done", dossier
    return {"code": dossier["dossier_code"], "document_id": dossier["documents"][0]["id"], "number": "1",
            "citizen_id": CITIZEN}


def test_the_server_serves_the_schema_fuzzed_here(fuzz_server):
    auth = {"Authorization": f"Bearer {fuzz_server.key}"}
    assert httpx.get(f"{fuzz_server.url}/v1/openapi.json", headers=auth).json() == APP_SCHEMA


def _aim(case, known: dict[str, str]) -> None:
    """Replace about half the generated path parameters (chosen by a hash of the generated
    value, so runs repeat) with those of the real dossier."""
    for name, value in (case.path_parameters or {}).items():
        if name in known and zlib.crc32(repr(value).encode()) % 2:
            case.path_parameters[name] = known[name]


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.label)
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
def test_operation_keeps_to_its_schema(operation, mode, fuzz_server, known):
    auth = {"Authorization": f"Bearer {fuzz_server.key}"}

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
    @given(case=operation.as_strategy(generation_mode=mode))
    def fuzz(case):
        _aim(case, known)
        case.call_and_validate(base_url=fuzz_server.url, headers=auth, checks=CHECKS, timeout=60)

    try:
        fuzz()
    except Unsatisfiable:
        if mode is GenerationMode.NEGATIVE and not (operation.path_parameters or operation.query
                                                    or operation.body or operation.headers):
            pytest.skip("nothing in this operation can be made invalid")
        raise
    assert httpx.get(f"{fuzz_server.url}/healthz", timeout=10).status_code == 200
