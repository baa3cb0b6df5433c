"""The receipt for a dossier, printed at the reception desk as soon as the originals are stored."""

from __future__ import annotations

import asyncio
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from .. import receipt
from ..deps import KeyDep, ServicesDep, actor, allow
from ..errors import error
from ._access import DossierCode, readable_dossier

router = APIRouter(prefix="/dossiers", tags=["dossiers"], dependencies=[Depends(allow("admin", "reception"))])


@router.get("/{code}/receipt.pdf", response_class=Response,
            responses={200: {"content": {"application/pdf": {}}}, 404: {}})
async def dossier_receipt(code: DossierCode, services: ServicesDep, key: KeyDep, request: Request) -> Response:
    """Giấy biên nhận: dossier code, time received, applicant, agency, procedure, the documents,
    and a QR code holding them with a link to the dossier's page."""
    dossier = await readable_dossier(services, key, request, code)
    lookup = f"{services.settings.public_base_url}/tiep-nhan?ma={quote(code)}"  # not from the Host header
    try:
        pdf = await asyncio.to_thread(receipt.receipt_pdf, dossier, lookup)
    except receipt.FontMissing as e:
        return error(503, "font_missing", str(e))
    await asyncio.to_thread(services.audited, actor(key), "receipt.read", code, dossier)
    name = f"bien-nhan-{code}.pdf"
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f"inline; filename*=UTF-8''{quote(name)}",
                             "Cache-Control": "no-store"})
