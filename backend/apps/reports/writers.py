"""Streaming CSV and XLSX writers: one row at a time, memory flat whatever the row count."""

import csv
import datetime
import json
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from openpyxl import Workbook

# A cell starting with one of these is a formula to a spreadsheet (CSV injection): quoted.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


class CsvWriter:
    def __init__(self, path: Path, title: str) -> None:
        self.file = path.open("w", newline="", encoding="utf-8-sig")  # BOM: Excel opens UTF-8 correctly
        self.writer = csv.writer(self.file)

    def writerow(self, row: Sequence[Any]) -> None:
        self.writer.writerow([cell(value) for value in row])

    def close(self) -> None:
        self.file.flush()
        self.file.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


class XlsxWriter(CsvWriter):
    """openpyxl's write-only workbook streams rows to a temporary file as they are appended."""

    def __init__(self, path: Path, title: str) -> None:
        self.path = path
        self.workbook = Workbook(write_only=True)
        self.sheet = self.workbook.create_sheet(title=title[:31])

    def writerow(self, row: Sequence[Any]) -> None:
        self.sheet.append([cell(value) for value in row])

    def close(self) -> None:
        self.workbook.save(self.path)


WRITERS: dict[str, type[CsvWriter]] = {"csv": CsvWriter, "xlsx": XlsxWriter}
CONTENT_TYPES = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
