"""Exports officers can open on Chinese Windows: CSV in UTF-8 with a byte-order mark (Excel
otherwise reads it as GBK and garbles it) and Chinese headers, and XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

BOM = "\ufeff"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _cell(value: str) -> str:
    """A cell a spreadsheet must not run as a formula (CSV/XLSX injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") and not _number(value) else value


def _number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def to_csv(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_cell(_text(v)) for v in row])
    return (BOM + buf.getvalue()).encode("utf-8")


def to_xlsx(title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title[:31] or "Sheet1"
    ws.append(list(headers))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([_cell(_text(v)) for v in row])
    for column, header in zip(ws.columns, headers, strict=False):
        width = max([len(header) * 2, *(len(_text(c.value)) for c in column)]) + 2
        ws.column_dimensions[column[0].column_letter].width = min(width, 60)
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def content_disposition(filename: str) -> str:
    """RFC 6266 with a UTF-8 name (a Chinese file name) and an ASCII fallback."""
    from urllib.parse import quote

    ascii_name = "".join(ch if (ch.isascii() and ch.isalnum()) or ch in "-_." else "_" for ch in filename)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
