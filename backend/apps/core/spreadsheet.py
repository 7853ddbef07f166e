"""One cell converter for every file a user opens in a spreadsheet (reports, audit export).

A cell starting with =, +, -, @ (or tab / carriage return) is a formula to Excel and
LibreOffice: an attacker who controls any stored text (a login name, a User-Agent header)
could run a command on the reviewer's machine (CSV injection, OWASP). Such cells are
prefixed with a quote. XLSX additionally cannot hold most control characters: they are
removed there, or openpyxl refuses the whole report.
"""

import datetime
import json
import re
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# The characters XML 1.0 (and so XLSX) cannot carry: C0 controls except tab, LF, CR.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def cell(value: Any) -> Any:
    """A value as it may be written to a CSV or XLSX cell."""
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
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def xlsx_cell(value: Any) -> Any:
    # Stripped before the formula check: "\x1b=cmd" must not become a bare "=cmd".
    if isinstance(value, str):
        value = _ILLEGAL_XML.sub("", value)
    return cell(value)
