"""The font every Chinese PDF of panhuo uses: ReportLab's built-in CID font STSong-Light, which renders Chinese
without a font file on the server (the Adobe Asian font pack's metrics ship with ReportLab; the reader supplies the
glyphs). Registered once per process."""

from __future__ import annotations

CJK_FONT = "STSong-Light"


def cjk_font() -> str:
    """Register STSong-Light with ReportLab if it is not yet, and return its name for the styles."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
    return CJK_FONT
