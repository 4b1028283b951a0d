"""The satisfaction survey's results as an Excel workbook, through the site's one safe writer
(``campaign.spreadsheets``): a summary, the districts, each question per district with its
counts per option, and the trend."""

from typing import BinaryIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from campaign.spreadsheets import append_row

from ..models.satisfaction import SATISFIED_RULE


def _bold_header(sheet) -> None:
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)


def _met(value) -> str:
    return "" if value is None else (_("Yes") if value else _("No"))


def write_results_workbook(results: dict, out: BinaryIO) -> None:
    """Write ``selectors.satisfaction.survey_results``'s figures to ``out`` (.xlsx)."""
    book = Workbook()
    summary = book.active
    summary.title = _("Summary")[:31]
    overall = results["overall"]
    for label, value in [
        (_("Survey"), results["survey"]),
        (_("From"), results["since"] or ""), (_("Until"), results["until"] or ""),
        (_("Responses"), overall["responses"]), (_("Rated answers"), overall["rated"]),
        (_("Satisfied answers"), overall["satisfied"]),
        (_("Satisfaction rate (%)"), overall["rate"]), (_("Target (%)"), overall["target"]),
        (_("Target met"), _met(overall["met"])), (_("Rule"), str(SATISFIED_RULE)),
    ]:
        append_row(summary, [str(label), value])
    summary.column_dimensions["A"].width = 22
    summary.column_dimensions["B"].width = 60

    districts = book.create_sheet(_("Districts")[:31])
    append_row(districts, [_("District"), _("Responses"), _("Rated answers"), _("Satisfied answers"),
                           _("Satisfaction rate (%)"), _("Target met")])
    _bold_header(districts)
    for row in results["districts"]:
        append_row(districts, [row["district"], row["responses"], row["rated"], row["satisfied"], row["rate"],
                               _met(row["met"])])
    districts.column_dimensions["A"].width = 18

    questions = book.create_sheet(_("Questions")[:31])
    for question in results["questions"]:
        labels = [option["label"] for option in question["options"]]
        append_row(questions, [f"{question['order']}. {question['question']}"])
        _bold_header(questions)
        append_row(questions, [_("District"), *labels, _("Answers"), _("Satisfaction rate (%)")])
        _bold_header(questions)
        for row in question["districts"]:
            append_row(questions, [row["district"], *row["counts"], row["answers"], row["rate"]])
        append_row(questions, [_("Total"), *[option["count"] for option in question["options"]], question["answers"],
                               question["rate"]])
        append_row(questions, [])
    questions.column_dimensions["A"].width = 24

    trend = book.create_sheet(_("Trend")[:31])
    append_row(trend, [_("Month") if results["trend_by"] == "month" else _("Week from"), _("Responses"),
                       _("Satisfaction rate (%)"), _("Target met")])
    _bold_header(trend)
    for row in results["trend"]:
        append_row(trend, [row["period"], row["responses"], row["rate"], _met(row["met"])])
    trend.column_dimensions["A"].width = 14
    book.save(out)
