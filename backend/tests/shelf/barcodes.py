"""Reads the Code 128 barcodes back out of a PDF page: the bars are filled rectangles, so their
widths and the gaps between them are the symbol's modules. Decoding them (with the standard
Code 128 table) proves the printed bars carry the code, independently of the text beside them."""

from collections import defaultdict
from typing import Any

from pypdf import PageObject
from pypdf.generic import ContentStream
from reportlab.graphics.barcode import code128

_WIDTHS = {letter: index + 1 for index, letter in enumerate("ABCD")}
# Pattern (bar, space, bar, space, bar, space widths) -> symbol value.
_VALUES = {
    tuple(_WIDTHS[c.upper()] for c in pattern): value for value, pattern in code128._patterns.items() if value < 106
}
_SET_B = {value: char for char, value in code128.setb.items() if isinstance(char, str) and len(char) == 1}
_SET_A = {value: char for char, value in code128.seta.items() if isinstance(char, str) and len(char) == 1}
START_A, START_B, START_C, STOP = 103, 104, 105, 106
CODE_C, CODE_B, CODE_A = 99, 100, 101
MIN_BAR_HEIGHT = 14.0  # points (5 mm): taller than a QR module, shorter than any bar we print


def _bars(page: PageObject) -> list[tuple[float, list[tuple[float, float]]]]:
    """Filled rectangles taller than a QR module, grouped into barcodes (same bottom and
    height): each barcode's bottom and its bars as (x, width) sorted by x, in page coordinates."""
    content = ContentStream(page.get_contents(), page.pdf)
    stack: list[tuple[float, float]] = []
    dx = dy = 0.0
    groups: dict[tuple[int, int], list[tuple[float, float]]] = defaultdict(list)
    for operands, operator in content.operations:
        if operator == b"q":
            stack.append((dx, dy))
        elif operator == b"Q":
            dx, dy = stack.pop()
        elif operator == b"cm":
            a, b, c, d, e, f = (float(value) for value in operands)
            if (a, b, c, d) == (1, 0, 0, 1):  # bars are drawn under translations only
                dx, dy = dx + e, dy + f
        elif operator == b"re":
            x, y, width, height = (float(value) for value in operands)
            if height >= MIN_BAR_HEIGHT:
                groups[(round((y + dy) * 10), round(height * 10))].append((x + dx, width))
    # Labels side by side put two barcodes on one line: a gap wider than any space splits them.
    barcodes: list[tuple[float, list[tuple[float, float]]]] = []
    for (bottom, _), bars in groups.items():
        bars.sort()
        narrowest = min(width for _, width in bars)
        current = [bars[0]]
        for previous, bar in zip(bars, bars[1:], strict=False):
            if bar[0] - (previous[0] + previous[1]) > 8 * narrowest:
                barcodes.append((bottom / 10, current))
                current = []
            current.append(bar)
        barcodes.append((bottom / 10, current))
    return [(bottom, bars) for bottom, bars in barcodes if len(bars) >= 10]


def _decode(bars: list[tuple[float, float]]) -> str:
    # Adjacent rectangles of one wide bar would be drawn as one; still, merge touching ones.
    merged: list[list[float]] = []
    for x, width in bars:
        if merged and abs(merged[-1][0] + merged[-1][1] - x) < 1e-3:
            merged[-1][1] += width
        else:
            merged.append([x, width])
    module = min(width for _, width in merged)
    elements: list[int] = []
    for index, (x, width) in enumerate(merged):
        elements.append(round(width / module))
        if index + 1 < len(merged):
            elements.append(round((merged[index + 1][0] - x - width) / module))
    symbols = [_VALUES[tuple(elements[i : i + 6])] for i in range(0, len(elements) - 7, 6)]
    assert elements[-7:] == [2, 3, 3, 1, 1, 1, 2], "no stop pattern"
    *data, checksum = symbols
    assert checksum == (data[0] + sum(i * v for i, v in enumerate(data[1:], start=1))) % 103, "bad checksum"
    text, mode = "", {START_A: "A", START_B: "B", START_C: "C"}[data[0]]
    for value in data[1:]:
        if mode == "C" and value < 100:
            text += f"{value:02d}"
        elif value == CODE_C:
            mode = "C"
        elif value == CODE_B:
            mode = "B"
        elif value == CODE_A:
            mode = "A"
        else:
            text += (_SET_B if mode == "B" else _SET_A)[value]
    return text


def code128_values(page: Any) -> list[str]:
    """The text of every Code 128 barcode drawn on the page, top to bottom, then left to right."""
    barcodes = sorted(_bars(page), key=lambda found: (-found[0], found[1][0][0]))
    return [_decode(bars) for _, bars in barcodes]
