"""The wall poster as a PDF (A4 or A3, landscape), drawn with reportlab.

Chinese and Latin text use reportlab's built-in CID font ``STSong-Light`` (no font file needed;
the PDF viewer supplies the glyphs). Everything is laid out from :class:`PosterData`; a roll too
long for one sheet continues on the next. The fixed texts come from the caller's catalogue
(:data:`~qa.awards.poster.Translate`), as on the poster page.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass

from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A3, A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from qa.awards.poster import STAR_GLYPH, PosterAgent, PosterData, PosterStar, Translate

FONT = "STSong-Light"
SIZES = {"A4": landscape(A4), "A3": landscape(A3)}
PAPER = HexColor("#fffaf0")
RED = HexColor("#a8102a")
DEEP = HexColor("#6e0616")
GOLD = HexColor("#e9c46a")
INK = HexColor("#2b1a12")
MUTED = HexColor("#7a6a5d")
# U+00B7 is missing from STSong-Light: the katakana middle dot stands in
SEP = " ・ "
STAR_COLOURS = {"etiquette": "#d6336c", "service": "#d4a017", "model": "#1c7ed6"}


def _register() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def star_colour(key: str) -> Color:
    return HexColor(STAR_COLOURS.get(key, "#8a5a00"))


@dataclass
class Pen:
    """Text on one canvas at one scale (1.0 = A4), and the catalogue its fixed texts come from."""

    canvas: Canvas
    scale: float
    translate: Translate

    def t(self, key: str, locale: str) -> str:
        return self.translate(key, locale)

    def width(self, text: str, size: float) -> float:
        return float(pdfmetrics.stringWidth(text, FONT, size * self.scale))

    def text(
        self,
        x: float,
        y: float,
        text: str,
        size: float,
        colour: Color,
        *,
        align: str = "left",
        bold: bool = False,
    ) -> float:
        """Draw ``text`` with its baseline at ``y``; returns its width."""
        c, px = self.canvas, size * self.scale
        width = self.width(text, size)
        left = x - width / 2 if align == "center" else x - width if align == "right" else x
        c.setFillColor(colour)
        c.setStrokeColor(colour)
        # a CID font has no bold face: fill and stroke the outline instead
        obj = c.beginText(left, y)
        obj.setFont(FONT, px)
        obj.setTextRenderMode(2 if bold else 0)
        c.setLineWidth(px * 0.035)
        obj.textLine(text)
        c.drawText(obj)
        return width

    def fit(self, text: str, size: float, room: float) -> float:
        """The largest size up to ``size`` at which ``text`` fits in ``room`` points."""
        full = self.width(text, size)
        return size if full <= room else max(size * room / full, 4.0)


def _frame(pen: Pen, w: float, h: float) -> None:
    c, s = pen.canvas, pen.scale
    c.setFillColor(PAPER)
    c.rect(0, 0, w, h, stroke=0, fill=1)
    c.setStrokeColor(GOLD)
    c.setLineWidth(3 * s)
    c.rect(12 * s, 12 * s, w - 24 * s, h - 24 * s, stroke=1, fill=0)
    c.setLineWidth(0.8 * s)
    c.rect(17 * s, 17 * s, w - 34 * s, h - 34 * s, stroke=1, fill=0)


def _header(pen: Pen, data: PosterData, w: float, h: float, *, first: bool) -> float:
    """The red band; returns the y below it."""
    c, s = pen.canvas, pen.scale
    band = (118 if first else 56) * s
    top = h - 22 * s
    c.setFillColor(RED)
    c.rect(22 * s, top - band, w - 44 * s, band, stroke=0, fill=1)
    c.setFillColor(DEEP)
    c.rect(22 * s, top - band, w - 44 * s, 4 * s, stroke=0, fill=1)
    month = f"{data.month_zh()}{SEP}{data.month_en()}"
    if not first:
        title = f"{pen.t('hr.poster.title', 'zh')}{SEP}{month}"
        pen.text(w / 2, top - 36 * s, title, 22, GOLD, align="center", bold=True)
        return top - band
    kicker = f"{pen.t('hr.poster.kicker', 'zh')}{SEP}{pen.t('hr.poster.kicker', 'en').upper()}"
    pen.text(w / 2, top - 22 * s, kicker, 10, GOLD, align="center")
    zh = pen.t("hr.poster.title", "zh")
    pen.text(w / 2, top - 66 * s, zh, 40, GOLD, align="center", bold=True)
    en = pen.t("hr.poster.title", "en").upper()
    pen.text(w / 2, top - 86 * s, en, 12, HexColor("#fbe3a6"), align="center")
    pen.text(w / 2, top - 106 * s, month, 13, HexColor("#ffffff"), align="center")
    return top - band


def _medal(pen: Pen, star: PosterStar, x: float, y: float, w: float, h: float) -> None:
    c, s = pen.canvas, pen.scale
    colour = star_colour(star.key)
    c.setFillColor(HexColor("#ffffff"))
    c.setStrokeColor(colour)
    c.setLineWidth(2 * s)
    c.roundRect(x, y, w, h, 10 * s, stroke=1, fill=1)
    c.setFillColor(colour)
    c.roundRect(x, y + h - 6 * s, w, 6 * s, 3 * s, stroke=0, fill=1)
    mid = x + w / 2
    pen.text(mid, y + h - 34 * s, f"{STAR_GLYPH} {star.zh}", 19, colour, align="center", bold=True)
    pen.text(mid, y + h - 50 * s, star.en, 10, MUTED, align="center")
    name = star.winner_name or pen.t("hr.poster.vacant", "zh")
    size = pen.fit(name, 24, w - 20 * s)
    pen.text(
        mid,
        y + h - 82 * s,
        name,
        size,
        INK if star.winner else MUTED,
        align="center",
        bold=bool(star.winner),
    )
    sub = star.winner_team if star.winner else pen.t("hr.poster.vacant", "en")
    pen.text(mid, y + h - 98 * s, sub, 9.5, MUTED, align="center")
    if star.bonus:
        bonus = f"{pen.t('hr.poster.coefficient', 'zh')} {star.bonus}"
        pen.text(mid, y + 10 * s, bonus, 9, colour, align="center")


def _medals(pen: Pen, data: PosterData, w: float, top: float) -> float:
    s = pen.scale
    count = max(len(data.stars), 1)
    gap, height = 16 * s, 122 * s
    width = min((w - 80 * s - gap * (count - 1)) / count, 240 * s)
    left = (w - (width * count + gap * (count - 1))) / 2
    y = top - 14 * s - height
    for i, star in enumerate(data.stars):
        _medal(pen, star, left + i * (width + gap), y, width, height)
    return y


@dataclass(frozen=True)
class Line:
    """One line of the roll: a team heading or an agent."""

    team: str
    agent: PosterAgent | None = None


def _lines(data: PosterData) -> list[Line]:
    out: list[Line] = []
    for team, agents in data.teams():
        out.append(Line(team or "—"))
        out.extend(Line(team, a) for a in agents)
    return out


def _agent_line(pen: Pen, data: PosterData, line: Line, x: float, y: float, room: float) -> None:
    assert line.agent is not None  # noqa: S101 - only agent lines come here
    s = pen.scale
    badges = [data.star(k) for k in line.agent.stars]
    labels = [(b.key, f"{STAR_GLYPH}{b.zh}") for b in badges if b is not None]
    badge_room = sum(pen.width(text, 8.5) + 10 * s for _, text in labels)
    size = pen.fit(line.agent.name, 10.5, room - badge_room - 4 * s)
    colour = INK if labels else HexColor("#3d2f25")
    width = pen.text(x, y, line.agent.name, size, colour, bold=bool(labels))
    cursor = x + width + 6 * s
    for key, text in labels:
        tw = pen.width(text, 8.5)
        pen.canvas.setFillColor(star_colour(key))
        pen.canvas.roundRect(cursor, y - 2.5 * s, tw + 8 * s, 12 * s, 3 * s, stroke=0, fill=1)
        pen.text(cursor + 4 * s, y, text, 8.5, HexColor("#ffffff"))
        cursor += tw + 10 * s


def _columns(lines: list[Line], per_column: int) -> Iterator[list[Line]]:
    for first in range(0, len(lines), per_column):
        yield lines[first : first + per_column]


def _footer(pen: Pen, data: PosterData, w: float) -> None:
    s = pen.scale
    if data.published:
        stamp = (
            f"{pen.t('hr.poster.published', 'zh')} {data.published_at}{SEP}"
            f"{pen.t('hr.poster.published', 'en')} {data.published_at} ({data.published_by})"
        )
    else:
        stamp = f"{pen.t('hr.poster.draft', 'zh')}{SEP}{pen.t('hr.poster.draft', 'en')}"
    info = f"{stamp}{SEP}r{data.revision}{SEP}{pen.t('hr.poster.policy', 'en')} {data.policy}"
    pen.text(w / 2, 26 * s, info, 8, MUTED, align="center")


def poster_pdf(
    data: PosterData, *, translate: Translate, size: str = "A4", compress: bool = True
) -> bytes:
    """The poster as PDF bytes.

    Args:
        data: The poster.
        translate: The catalogue's ``(key, locale) -> text`` for the poster's fixed texts.
        size: ``A4`` or ``A3`` (landscape).
        compress: Compress page streams (tests read the text uncompressed).

    Raises:
        ValueError: Unknown paper size.
    """
    if size not in SIZES:
        raise ValueError(f"paper size {size!r}: one of {', '.join(SIZES)}")
    _register()
    w, h = SIZES[size]
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(w, h), pageCompression=int(compress), invariant=1)
    t = translate
    title = f"{t('hr.poster.title', 'zh')} {data.month}{SEP}{t('hr.poster.title', 'en')}"
    canvas.setTitle(title)
    canvas.setAuthor("Floorboard")
    pen = Pen(canvas, w / SIZES["A4"][0], translate)
    _draw(pen, data, w, h)
    canvas.save()
    return out.getvalue()


def _draw(pen: Pen, data: PosterData, w: float, h: float) -> None:
    s = pen.scale
    lines = _lines(data)
    page = 0
    while True:
        _frame(pen, w, h)
        top = _header(pen, data, w, h, first=page == 0)
        if page == 0:
            top = _medals(pen, data, w, top)
            everyone = (pen.t("hr.poster.everyone", "zh"), pen.t("hr.poster.everyone", "en"))
            heading = SEP.join(everyone)
            pen.text(w / 2, top - 24 * s, heading, 13, RED, align="center", bold=True)
            top -= 34 * s
        if not lines:
            _footer(pen, data, w)
            break
        lines = _roll_page(pen, data, lines, w, top)
        _footer(pen, data, w)
        if not lines:
            break
        pen.canvas.showPage()
        page += 1


def _roll_page(pen: Pen, data: PosterData, lines: list[Line], w: float, top: float) -> list[Line]:
    """Draw as many roll lines as fit below ``top``; returns the rest."""
    s = pen.scale
    step, bottom = 15.5 * s, 44 * s
    per_column = max(int((top - bottom) // step), 1)
    columns = min(max(-(-len(lines) // per_column), 1), max(int((w - 80 * s) // (150 * s)), 1))
    width = (w - 80 * s) / columns
    shown = 0
    for index, chunk in enumerate(_columns(lines, per_column)):
        if index >= columns:
            break
        x = 40 * s + index * width
        for row, line in enumerate(chunk):
            y = top - (row + 1) * step + 4 * s
            if line.agent is None:
                pen.text(x, y, line.team, 10.5, RED, bold=True)
                pen.canvas.setStrokeColor(GOLD)
                pen.canvas.setLineWidth(0.6 * s)
                pen.canvas.line(x, y - 3 * s, x + width - 14 * s, y - 3 * s)
            else:
                _agent_line(pen, data, line, x + 6 * s, y, width - 20 * s)
        shown += len(chunk)
    return lines[shown:]
