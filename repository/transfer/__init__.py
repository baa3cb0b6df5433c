"""Transfer packages for the historical archive: dossiers out as BagIt bags with METS + PREMIS,
and back into another HoSo with every checksum and signature verified (layout: export.py)."""

from .export import Chosen, NothingToExport, Selection, choose, write_package
from .intake import Package, read_package, store_package

__all__ = ["Chosen", "NothingToExport", "Package", "Selection", "choose", "read_package", "store_package",
           "write_package"]
