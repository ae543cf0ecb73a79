"""Parton densities: LHAPDF6 grid sets located on disk and evaluated in batches by the compiled core.

Example::

    from madnis_py.pdf import PDF
    pdf = PDF()                              # NNPDF23_lo_as_0130_qed (MadGraph's nn23lo1), member 0
    xg = pdf.xfxq([0.1], [100.0], 21)        # x g(x, Q = 100 GeV), shape (1,)
    lumi = pdf.f1f2(x1, x2, mu_f, [21, 2], [21, -2])   # (n, 2): g g and u u~ densities
"""

from madnis_py.pdf.density import PDF
from madnis_py.pdf.lhagrid import LHAGrid, PDFFormatError, parse_info, read_info, read_lhagrid1
from madnis_py.pdf.locate import (
    DEFAULT_PDF_SET,
    LHAID_TO_NAME,
    MADGRAPH_PDLABELS,
    PDFSetLocation,
    PDFSetNotFoundError,
    find_pdf_set,
    pdf_search_paths,
)

__all__ = [
    "DEFAULT_PDF_SET",
    "LHAID_TO_NAME",
    "MADGRAPH_PDLABELS",
    "LHAGrid",
    "PDF",
    "PDFFormatError",
    "PDFSetLocation",
    "PDFSetNotFoundError",
    "find_pdf_set",
    "parse_info",
    "pdf_search_paths",
    "read_info",
    "read_lhagrid1",
]
