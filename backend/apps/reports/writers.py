"""Streaming CSV and XLSX writers: one row at a time, memory flat whatever the row count."""

import csv
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from openpyxl import Workbook

from apps.core.spreadsheet import cell, xlsx_cell


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
        self.sheet.append([xlsx_cell(value) for value in row])

    def close(self) -> None:
        self.workbook.save(self.path)


WRITERS: dict[str, type[CsvWriter]] = {"csv": CsvWriter, "xlsx": XlsxWriter}
CONTENT_TYPES = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
