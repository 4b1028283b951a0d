"""Shared helpers for the Excel tests: workbooks in memory and reading them back."""

import io

import openpyxl

from ledger.transfer import columns

ZH = [columns.COLUMNS[f][1] for f in columns.FIELDS]
EN = [columns.COLUMNS[f][0] for f in columns.FIELDS]


def xlsx_bytes(rows, *, title="Sheet1") -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read_rows(data: bytes) -> list[list]:
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    rows = [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    workbook.close()
    return rows


def ledger_row(**values) -> list:
    """One template row; unnamed columns are empty."""
    defaults = {"found_on": "2026-01-05", "district": "甲区", "category": "农贸市场",
                "description": "地面积水", "source": "暗访"}
    defaults.update(values)
    return [defaults.get(field, "") for field in columns.FIELDS]
