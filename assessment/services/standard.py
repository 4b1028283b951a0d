"""The standard as data: load an edition from its data file, put an edition in use, set a
material's responsible unit and due date, and HQ's Excel round trip (export, check, import).

Every write is all or nothing (one transaction), checked before anything is written, and
recorded as a ``StandardChange`` (who, when, what, from, to). Nothing is deleted: an article
or a material that a newer file or workbook leaves out is marked inactive / not required, so the
uploads and reviews that point to it stay.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from campaign.choices import CategoryKind
from campaign.models import Category, Indicator, Team, Unit, User

from ..choices import StandardChangeAction
from ..models import (
    MaterialRequirement,
    StandardArticle,
    StandardChange,
    StandardEdition,
    StandardPart,
)

DEFAULT_DATA_FILE = Path(settings.BASE_DIR) / "assessment" / "data" / "standard_2021.yaml"
TITLE_MAX = 300
NUMBER_MAX = 20
CODE_MAX = 30


class StandardDataError(Exception):
    """The data file or workbook is refused; ``problems`` names every bad entry (nothing was written)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class StandardPermissionError(PermissionError):
    """Only HQ staff change the standard."""


def _require_hq(user: User | None) -> None:
    # None: the management command or the demo, run by the operator on the server.
    if user is not None and not user.can_manage_structure:
        raise StandardPermissionError(_("Only HQ staff change the standard."))


# --- The data file ---------------------------------------------------------------------------


@dataclass
class MaterialSpec:
    code: str
    title: str
    title_en: str
    order: int
    # Set only by the workbook (the data file leaves a city's units and dates alone).
    unit: Unit | None = None
    due_date: dt.date | None = None
    assigns: bool = False
    active: bool = True


@dataclass
class ArticleSpec:
    number: str
    title: str
    title_en: str
    order: int
    team: Team | None
    indicators: list[Indicator]
    materials: list[MaterialSpec]


@dataclass
class PartSpec:
    number: int
    category_code: str
    title: str
    title_en: str
    team: Team | None
    articles: list[ArticleSpec]


@dataclass
class EditionSpec:
    code: str
    name: str
    name_en: str
    source: str
    parts: list[PartSpec]


@dataclass
class LoadReport:
    edition: StandardEdition
    created: int = 0
    updated: int = 0
    deactivated: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deactivated)


def _text(value: Any, where: str, problems: list[str], *, required: bool = False, max_length: int = TITLE_MAX) -> str:
    if value is None:
        value = ""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        problems.append(_("%(where)s: expected text.") % {"where": where})
        return ""
    text = str(value).strip()
    if required and not text:
        problems.append(_("%(where)s: is required.") % {"where": where})
    if len(text) > max_length:
        problems.append(_("%(where)s: longer than %(max)s characters.") % {"where": where, "max": max_length})
    return text


def read_data_file(path: Path | str) -> dict:
    """The data file's content (YAML or JSON, judged by its suffix), or StandardDataError."""
    import json

    import yaml

    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise StandardDataError([_("%(path)s: no such file.") % {"path": path}]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise StandardDataError([_("%(path)s: cannot be read (%(error)s).") % {"path": path, "error": error}]) from None
    try:
        data = json.loads(raw) if path.suffix.lower() == ".json" else yaml.safe_load(raw)
    except (ValueError, yaml.YAMLError) as error:
        raise StandardDataError([_("%(path)s: not valid data (%(error)s).") % {"path": path, "error": error}]) from None
    if not isinstance(data, dict):
        raise StandardDataError([_("%(path)s: expected a mapping with 'edition' and 'parts'.") % {"path": path}])
    return data


def parse_edition(data: dict) -> tuple[EditionSpec, list[str]]:
    """Check a data file's content and resolve its references. Returns the edition and the
    warnings (a team or indicator this city does not have); raises StandardDataError naming
    every bad entry (``parts[2].articles[0].materials[1].code`` …)."""
    problems: list[str] = []
    warnings: list[str] = []
    edition = data.get("edition")
    if not isinstance(edition, dict):
        raise StandardDataError([_("edition: expected a mapping with code and name.")])
    code = _text(edition.get("code"), "edition.code", problems, required=True, max_length=20)
    name = _text(edition.get("name"), "edition.name", problems, required=True, max_length=200)
    name_en = _text(edition.get("name_en"), "edition.name_en", problems, max_length=200)
    source = _text(edition.get("source"), "edition.source", problems, max_length=500)
    raw_parts = data.get("parts")
    if not isinstance(raw_parts, list) or not raw_parts:
        raise StandardDataError(problems + [_("parts: expected a list of parts.")])
    teams = {team.code: team for team in Team.objects.all()}
    indicators = {indicator.code: indicator for indicator in Indicator.objects.all()}
    categories = {category.code: category for category in Category.objects.all()}
    parts: list[PartSpec] = []
    seen_parts: set[int] = set()
    seen_categories: set[str] = set()
    seen_materials: dict[str, str] = {}
    for p_index, raw in enumerate(raw_parts):
        where = f"parts[{p_index}]"
        if not isinstance(raw, dict):
            problems.append(_("%(where)s: expected a mapping.") % {"where": where})
            continue
        number = raw.get("number")
        if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= 99:
            problems.append(_("%(where)s.number: expected a whole number from 1 to 99.") % {"where": where})
            number = 0
        elif number in seen_parts:
            problems.append(_("%(where)s.number: part %(number)s appears twice.") % {"where": where, "number": number})
        seen_parts.add(number)
        category_code = _text(raw.get("category"), f"{where}.category", problems, required=True, max_length=30)
        category = categories.get(category_code)
        if category is not None and category.kind != CategoryKind.STANDARD:
            problems.append(_("%(where)s.category: %(code)s is not a category of the standard.")
                            % {"where": where, "code": category_code})
        if category_code and category_code in seen_categories:
            problems.append(_("%(where)s.category: %(code)s is used by two parts.") % {"where": where, "code": category_code})
        seen_categories.add(category_code)
        title = _text(raw.get("title"), f"{where}.title", problems, required=True)
        title_en = _text(raw.get("title_en"), f"{where}.title_en", problems)
        team = _team(raw.get("team"), f"{where}.team", teams, problems, warnings)
        raw_articles = raw.get("articles") or []
        if not isinstance(raw_articles, list):
            problems.append(_("%(where)s.articles: expected a list.") % {"where": where})
            raw_articles = []
        articles: list[ArticleSpec] = []
        seen_articles: set[str] = set()
        for a_index, raw_article in enumerate(raw_articles):
            a_where = f"{where}.articles[{a_index}]"
            if not isinstance(raw_article, dict):
                problems.append(_("%(where)s: expected a mapping.") % {"where": a_where})
                continue
            a_number = _text(raw_article.get("number"), f"{a_where}.number", problems, required=True,
                             max_length=NUMBER_MAX)
            if a_number and a_number in seen_articles:
                problems.append(_("%(where)s.number: article %(number)s appears twice in the part.")
                                % {"where": a_where, "number": a_number})
            seen_articles.add(a_number)
            a_indicators = []
            raw_indicators = raw_article.get("indicators") or []
            if not isinstance(raw_indicators, list):
                problems.append(_("%(where)s.indicators: expected a list of indicator codes.") % {"where": a_where})
                raw_indicators = []
            for i_index, indicator_code in enumerate(raw_indicators):
                indicator = indicators.get(str(indicator_code).strip())
                if indicator is None:
                    warnings.append(_("%(where)s.indicators[%(index)s]: no indicator %(code)s here; left out.")
                                    % {"where": a_where, "index": i_index, "code": indicator_code})
                else:
                    a_indicators.append(indicator)
            materials: list[MaterialSpec] = []
            raw_materials = raw_article.get("materials") or []
            if not isinstance(raw_materials, list):
                problems.append(_("%(where)s.materials: expected a list.") % {"where": a_where})
                raw_materials = []
            for m_index, raw_material in enumerate(raw_materials):
                m_where = f"{a_where}.materials[{m_index}]"
                if not isinstance(raw_material, dict):
                    problems.append(_("%(where)s: expected a mapping.") % {"where": m_where})
                    continue
                m_code = _text(raw_material.get("code"), f"{m_where}.code", problems, required=True, max_length=CODE_MAX)
                if m_code and m_code in seen_materials:
                    problems.append(_("%(where)s.code: %(code)s is already used at %(other)s.")
                                    % {"where": m_where, "code": m_code, "other": seen_materials[m_code]})
                seen_materials.setdefault(m_code, m_where)
                materials.append(MaterialSpec(
                    code=m_code, order=m_index + 1,
                    title=_text(raw_material.get("title"), f"{m_where}.title", problems, required=True),
                    title_en=_text(raw_material.get("title_en"), f"{m_where}.title_en", problems),
                ))
            articles.append(ArticleSpec(
                number=a_number, order=a_index + 1,
                title=_text(raw_article.get("title"), f"{a_where}.title", problems),
                title_en=_text(raw_article.get("title_en"), f"{a_where}.title_en", problems),
                team=_team(raw_article.get("team"), f"{a_where}.team", teams, problems, warnings),
                indicators=a_indicators, materials=materials,
            ))
        parts.append(PartSpec(number=number, category_code=category_code, title=title, title_en=title_en,
                              team=team, articles=articles))
    if problems:
        raise StandardDataError(problems)
    return EditionSpec(code=code, name=name, name_en=name_en, source=source, parts=parts), warnings


def _team(value, where: str, teams: dict, problems: list[str], warnings: list[str]) -> Team | None:
    code = _text(value, where, problems, max_length=20)
    if not code:
        return None
    team = teams.get(code)
    if team is None:
        warnings.append(_("%(where)s: no special team %(code)s here; left blank.") % {"where": where, "code": code})
    return team


def _set(obj, values: dict) -> dict:
    """Set ``values`` on ``obj``; return what changed as {field: [from, to]}."""
    changed = {}
    for name, value in values.items():
        before = getattr(obj, name)
        if before != value:
            changed[name] = [_plain(before), _plain(value)]
            setattr(obj, name, value)
    return changed


def _plain(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value


@transaction.atomic
def standard_apply(*, spec: EditionSpec, actor: User | None, action: str, source_name: str,
                   deactivate_missing: bool = True, report: LoadReport | None = None) -> LoadReport:
    """Write a checked edition: create or update its parts, articles and materials (by number
    and code), never deleting; left-out articles and materials are made inactive when
    ``deactivate_missing``. Records one StandardChange with what changed."""
    _require_hq(actor)
    edition = StandardEdition.objects.select_for_update().filter(code=spec.code).first()
    created_edition = edition is None
    if created_edition:
        edition = StandardEdition.objects.create(code=spec.code, name=spec.name, name_en=spec.name_en,
                                                 source=spec.source)
    report = report or LoadReport(edition=edition)
    report.edition = edition
    changes: list[dict] = []
    if created_edition:
        report.created += 1
        changes.append({"edition": spec.code, "created": True})
    else:
        edition_changed = _set(edition, {"name": spec.name, "name_en": spec.name_en, "source": spec.source})
        if edition_changed:
            edition.save()
            report.updated += 1
            changes.append({"edition": spec.code, "changed": edition_changed})
    for part_spec in spec.parts:
        category = _standard_category(part_spec, changes)
        part = StandardPart.objects.filter(edition=edition, number=part_spec.number).first()
        values = {"title": part_spec.title, "title_en": part_spec.title_en, "category": category, "team": part_spec.team}
        if part is None:
            part = StandardPart.objects.create(edition=edition, number=part_spec.number, **values)
            report.created += 1
            changes.append({"part": part_spec.number, "created": True})
        else:
            changed = _set(part, values)
            if changed:
                part.save()
                report.updated += 1
                changes.append({"part": part_spec.number, "changed": changed})
        seen_articles = set()
        for article_spec in part_spec.articles:
            article = StandardArticle.objects.filter(part=part, number=article_spec.number).first()
            values = {"title": article_spec.title, "title_en": article_spec.title_en, "order": article_spec.order,
                      "team": article_spec.team, "active": True}
            if article is None:
                article = StandardArticle.objects.create(part=part, number=article_spec.number, **values)
                report.created += 1
                changes.append({"article": article_spec.number, "created": True})
            else:
                changed = _set(article, values)
                if changed:
                    article.save()
                    report.updated += 1
                    changes.append({"article": article_spec.number, "changed": changed})
            seen_articles.add(article.pk)
            wanted = {indicator.pk for indicator in article_spec.indicators}
            current = set(article.indicators.values_list("pk", flat=True))
            if wanted != current:
                article.indicators.set(wanted)
                report.updated += 1
                changes.append({"article": article_spec.number,
                                "changed": {"indicators": [sorted(current), sorted(wanted)]}})
            seen_materials = set()
            for material_spec in article_spec.materials:
                material = MaterialRequirement.objects.filter(article=article, code=material_spec.code).first()
                values = {"title": material_spec.title, "title_en": material_spec.title_en,
                          "order": material_spec.order, "active": material_spec.active}
                if material_spec.assigns:
                    values.update(responsible_unit=material_spec.unit, due_date=material_spec.due_date)
                if material is None:
                    material = MaterialRequirement.objects.create(article=article, code=material_spec.code, **values)
                    report.created += 1
                    changes.append({"material": material_spec.code, "created": True})
                else:
                    changed = _set(material, values)
                    if changed:
                        material.save()
                        report.updated += 1
                        changes.append({"material": material_spec.code, "changed": changed})
                seen_materials.add(material.pk)
            if deactivate_missing:
                dropped = list(MaterialRequirement.objects.filter(article=article, active=True)
                               .exclude(pk__in=seen_materials).values_list("code", flat=True))
                if dropped:
                    MaterialRequirement.objects.filter(article=article, code__in=dropped).update(active=False)
                    report.deactivated += len(dropped)
                    changes.extend({"material": code, "changed": {"active": [True, False]}} for code in dropped)
        if deactivate_missing:
            dropped = list(StandardArticle.objects.filter(part=part, active=True).exclude(pk__in=seen_articles))
            for article in dropped:
                article.active = False
                article.save(update_fields=["active"])
                report.deactivated += 1
                changes.append({"article": article.number, "changed": {"active": [True, False]}})
                count = MaterialRequirement.objects.filter(article=article, active=True).update(active=False)
                report.deactivated += count
    if changes:
        StandardChange.objects.create(edition=edition, actor=actor, action=action, target=source_name[:255],
                                      details={"changes": changes[:2000], "count": len(changes),
                                               "warnings": report.warnings[:200]})
    return report


def _standard_category(part_spec: PartSpec, changes: list[dict]) -> Category:
    """The part's standard category (STD1…8, which indicators point to); created when the city
    has none yet, so the indicators added later link to it."""
    category = Category.objects.filter(code=part_spec.category_code).first()
    if category is None:
        name_zh = part_spec.title
        if Category.objects.filter(name_zh=name_zh).exists():
            name_zh = f"{part_spec.title}（{part_spec.category_code}）"
        category = Category.objects.create(code=part_spec.category_code, kind=CategoryKind.STANDARD,
                                           name_zh=name_zh[:100], name_en=(part_spec.title_en or name_zh)[:100],
                                           order=part_spec.number)
        changes.append({"category": part_spec.category_code, "created": True})
    return category


def standard_load(*, path: Path | str | None = None, actor: User | None = None, use: bool = False) -> LoadReport:
    """Load (or reload) an edition from its data file, all or nothing; with ``use`` put it in use."""
    _require_hq(actor)
    path = Path(path) if path else DEFAULT_DATA_FILE
    spec, warnings = parse_edition(read_data_file(path))
    with transaction.atomic():
        report = standard_apply(spec=spec, actor=actor, action=StandardChangeAction.LOADED,
                                source_name=path.name, report=LoadReport(edition=None, warnings=warnings))
        if use and not report.edition.in_use:
            standard_edition_use(edition=report.edition, actor=actor)
            report.updated += 1
    return report


@transaction.atomic
def standard_edition_use(*, edition: StandardEdition, actor: User | None) -> StandardEdition:
    """Put ``edition`` in use (one at a time); the other editions and their records stay."""
    _require_hq(actor)
    editions = list(StandardEdition.objects.select_for_update().order_by("pk"))
    before = next((e.code for e in editions if e.in_use), None)
    if before == edition.code:
        return edition
    StandardEdition.objects.filter(in_use=True).update(in_use=False)
    StandardEdition.objects.filter(pk=edition.pk).update(in_use=True)
    edition.in_use = True
    StandardChange.objects.create(edition=edition, actor=actor, action=StandardChangeAction.SWITCHED,
                                  target=edition.code, details={"in_use": [before, edition.code]})
    return edition


@transaction.atomic
def material_requirement_assign(*, material: MaterialRequirement, actor: User | None,
                                responsible_unit: Unit | None, due_date: dt.date | None) -> MaterialRequirement:
    """Set which unit provides a material and by when (HQ), recording from and to."""
    _require_hq(actor)
    material = MaterialRequirement.objects.select_for_update().select_related("article__part__edition").get(pk=material.pk)
    changed = _set(material, {"responsible_unit": responsible_unit, "due_date": due_date})
    if changed:
        material.save(update_fields=["responsible_unit", "due_date"])
        StandardChange.objects.create(edition=material.article.part.edition, actor=actor,
                                      action=StandardChangeAction.MATERIAL_CHANGED, target=material.code,
                                      details={"changed": changed})
    return material


def _edition_of(item) -> StandardEdition:
    if isinstance(item, StandardEdition):
        return item
    if isinstance(item, StandardPart):
        return item.edition
    if isinstance(item, StandardArticle):
        return item.part.edition
    return item.article.part.edition


@transaction.atomic
def standard_item_save(*, item, actor: User | None, values: dict, created: bool = False):
    """HQ's edit (or creation) of one edition, part, article or material outside the workbook
    (the admin): ``values`` are the fields to set (many-to-many ones as lists of objects),
    recorded as one StandardChange with each field's from and to. Nothing is deleted."""
    _require_hq(actor)
    model = type(item)
    if model not in (StandardEdition, StandardPart, StandardArticle, MaterialRequirement):
        raise TypeError(f"not a part of the standard: {model.__name__}")
    many = {f.name for f in model._meta.many_to_many}
    fields = {name: value for name, value in values.items() if name not in many}
    if created:
        item = model(**fields)
        item.save()
        changed = {name: [None, _plain(value)] for name, value in fields.items()}
    else:
        item = model.objects.select_for_update().get(pk=item.pk)
        changed = _set(item, fields)
        if changed:
            item.save(update_fields=list(changed))
    for name in many & set(values):
        before = sorted(getattr(item, name).values_list("pk", flat=True))
        after = sorted(obj.pk for obj in values[name])
        if before != after:
            getattr(item, name).set(values[name])
            changed[name] = [None if created else before, after]
    if changed or created:
        StandardChange.objects.create(edition=_edition_of(item), actor=actor, action=StandardChangeAction.EDITED,
                                      target=str(item)[:255],
                                      details={"admin": True, "created": created, "changed": changed})
    return item


# --- Excel out and in ------------------------------------------------------------------------

SHEET_TITLE = "standard"
# (key, header). One row per material; an article without materials has one row with the
# material columns empty. The part's title and team repeat on every row of the part.
COLUMNS = (
    ("part", "part / 部分"),
    ("category", "category / 类别"),
    ("part_title", "part title / 部分名称"),
    ("part_title_en", "part title (English)"),
    ("part_team", "part team / 专项组"),
    ("article", "article / 条"),
    ("article_title", "article title / 条文简称"),
    ("article_title_en", "article title (English)"),
    ("article_team", "article team / 条文专项组"),
    ("indicators", "indicators / 核心指标"),
    ("material", "material code / 资料编号"),
    ("material_title", "material / 资料"),
    ("material_title_en", "material (English)"),
    ("unit", "responsible unit / 责任单位"),
    ("due_date", "due date / 完成时限"),
    ("required", "required / 需要"),
)
YES, NO = "yes", "no"


def standard_workbook(*, edition: StandardEdition) -> bytes:
    """The edition as one workbook HQ edits and imports back (``standard_import_check``)."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    from campaign.spreadsheets import append_row

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    append_row(sheet, [header for _key, header in COLUMNS])
    parts = (StandardPart.objects.filter(edition=edition).select_related("category", "team")
             .prefetch_related("articles__indicators", "articles__team",
                               "articles__materials__responsible_unit").order_by("number"))
    for part in parts:
        part_cells = [part.number, part.category.code if part.category else "", part.title, part.title_en,
                      part.team.code if part.team else ""]
        for article in sorted(part.articles.all(), key=lambda a: (a.order, a.number)):
            if not article.active:
                continue
            article_cells = [article.number, article.title, article.title_en,
                             article.team.code if article.team else "",
                             ", ".join(sorted(i.code for i in article.indicators.all()))]
            materials = sorted(article.materials.all(), key=lambda m: (m.order, m.code))
            if not materials:
                append_row(sheet, part_cells + article_cells + ["", "", "", "", None, ""])
            for material in materials:
                append_row(sheet, part_cells + article_cells + [
                    material.code, material.title, material.title_en,
                    material.responsible_unit.name if material.responsible_unit else "",
                    material.due_date, YES if material.active else NO,
                ])
    for index in range(1, len(COLUMNS) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 14 if index not in (3, 7, 12, 14) else 30
    for row in sheet.iter_rows(min_row=2, min_col=15, max_col=15):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@dataclass
class ImportCheck:
    """What a workbook would do: its errors (row, column, value, message) or the edition to write."""

    errors: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    spec: EditionSpec | None = None
    rows: int = 0
    summary: dict = field(default_factory=dict)


def _problem(row: int, column: str, value, message: str) -> dict:
    return {"row": row, "column": column, "value": "" if value is None else str(value)[:200], "message": str(message)}


def standard_import_check(*, edition: StandardEdition, data: bytes) -> ImportCheck:
    """Read and check a workbook (the one ``standard_workbook`` writes) against ``edition``;
    writes nothing. Every bad cell is an error naming its row and column."""
    from openpyxl.utils import get_column_letter

    from campaign.importing.layouts import cell_text
    from campaign.importing.reading import UnreadableFile, control_character_cells, read_sheets

    check = ImportCheck()
    try:
        sheets = read_sheets(data)
    except UnreadableFile as error:
        check.errors.append(_problem(0, "", "", str(error)))
        return check
    refused = control_character_cells(sheets)
    if refused:
        check.errors.extend(_problem(cell.row, cell.column, cell.value, cell.message) for cell in refused)
        return check
    sheet = next((s for s in sheets if s.title == SHEET_TITLE), sheets[0] if sheets else None)
    if sheet is None or not sheet.rows:
        check.errors.append(_problem(0, "", "", _("The workbook has no rows.")))
        return check
    header_row, header = sheet.rows[0]
    position: dict[str, int] = {}
    expected = {h.split(" / ")[0].strip().lower(): key for key, h in COLUMNS}
    for index, value in enumerate(header):
        name = cell_text(value).split(" / ")[0].strip().lower()
        if name in expected:
            position[expected[name]] = index
    missing = [h for key, h in COLUMNS if key not in position]
    if missing:
        check.errors.append(_problem(header_row, "", "", _("Columns missing from the header row: %(columns)s.")
                                     % {"columns": ", ".join(missing)}))
        return check
    letter = {key: get_column_letter(index + 1) for key, index in position.items()}
    teams = {team.code: team for team in Team.objects.all()}
    indicators = {indicator.code: indicator for indicator in Indicator.objects.all()}
    units = {unit.name: unit for unit in Unit.objects.all()}
    categories = {c.code: c for c in Category.objects.filter(kind=CategoryKind.STANDARD)}
    parts: dict[int, PartSpec] = {}
    articles: dict[tuple[int, str], ArticleSpec] = {}
    material_rows: dict[str, int] = {}
    for number, values in sheet.rows[1:]:
        check.rows += 1
        row = _Row(number, values, position, letter, check)
        cell, text = row.cell, row.text
        raw_part = text("part", required=True)
        try:
            part_number = int(float(raw_part)) if raw_part else 0
            if not 1 <= part_number <= 99 or float(raw_part) != part_number:
                raise ValueError
        except ValueError:
            check.errors.append(_problem(number, letter["part"], raw_part, _("Expected a part number from 1 to 99.")))
            continue
        category_code = text("category", required=True, max_length=30)
        if category_code and category_code not in categories:
            check.errors.append(_problem(number, letter["category"], category_code,
                                         _("No standard category with this code.")))
        part_title = text("part_title", required=True)
        part_team = _sheet_team(text("part_team", max_length=20), teams, number, letter["part_team"], check)
        part = parts.get(part_number)
        other = next((n for n, p in parts.items() if p.category_code == category_code and n != part_number), None)
        if category_code and other is not None:
            check.errors.append(_problem(row.number, letter["category"], category_code,
                                         _("This category is already part %(number)s's.") % {"number": other}))
        if part is None:
            part = parts[part_number] = PartSpec(number=part_number, category_code=category_code, title=part_title,
                                                 title_en=text("part_title_en"), team=part_team, articles=[])
        elif (part.category_code, part.title) != (category_code, part_title):
            check.errors.append(_problem(number, letter["part_title"], part_title,
                                         _("Part %(number)s has another category or title on an earlier row.")
                                         % {"number": part_number}))
        article_number = text("article", required=True, max_length=NUMBER_MAX)
        if isinstance(cell("article"), float) and cell("article").is_integer():
            article_number = str(int(cell("article")))
        if not article_number:
            continue
        article = articles.get((part_number, article_number))
        if article is None:
            article_indicators = []
            for code in [c.strip() for c in text("indicators", max_length=500).replace("，", ",").split(",") if c.strip()]:
                if code in indicators:
                    article_indicators.append(indicators[code])
                else:
                    check.errors.append(_problem(number, letter["indicators"], code, _("No indicator with this code.")))
            article = articles[(part_number, article_number)] = ArticleSpec(
                number=article_number, title=text("article_title"), title_en=text("article_title_en"),
                order=len(part.articles) + 1,
                team=_sheet_team(text("article_team", max_length=20), teams, number, letter["article_team"], check),
                indicators=article_indicators, materials=[],
            )
            part.articles.append(article)
        material_code = text("material", max_length=CODE_MAX)
        if not material_code:
            continue
        if material_code in material_rows:
            check.errors.append(_problem(number, letter["material"], material_code,
                                         _("This material code is already on row %(row)s.")
                                         % {"row": material_rows[material_code]}))
            continue
        material_rows[material_code] = number
        unit_name = text("unit", max_length=200)
        unit = units.get(unit_name) if unit_name else None
        if unit_name and unit is None:
            check.errors.append(_problem(number, letter["unit"], unit_name, _("No unit with this name.")))
        due = cell("due_date")
        due_date = None
        if isinstance(due, dt.datetime):
            due_date = due.date()
        elif isinstance(due, dt.date):
            due_date = due
        elif cell_text(due):
            try:
                due_date = dt.date.fromisoformat(cell_text(due))
            except ValueError:
                check.errors.append(_problem(number, letter["due_date"], due,
                                             _("Expected a date (YYYY-MM-DD).")))
        required = text("required", max_length=10).lower()
        if required not in ("", YES, NO, "是", "否"):
            check.errors.append(_problem(number, letter["required"], required, _("Expected yes or no.")))
        spec = MaterialSpec(code=material_code, title=text("material_title", required=True),
                            title_en=text("material_title_en"), order=len(article.materials) + 1,
                            unit=unit, due_date=due_date, assigns=True, active=required not in (NO, "否"))
        article.materials.append(spec)
    # Material codes must stay with their article (records point to them).
    existing = {m.code: (m.article.part.number, m.article.number) for m in MaterialRequirement.objects
                .filter(article__part__edition=edition).select_related("article__part")}
    for (part_number, article_number), article in articles.items():
        for material in article.materials:
            home = existing.get(material.code)
            if home and home != (part_number, article_number):
                check.errors.append(_problem(material_rows[material.code], letter["material"], material.code,
                                             _("This material belongs to article %(article)s of part %(part)s; "
                                               "a material cannot move.") % {"article": home[1], "part": home[0]}))
    if not check.errors:
        check.spec = EditionSpec(code=edition.code, name=edition.name, name_en=edition.name_en, source=edition.source,
                                 parts=[parts[n] for n in sorted(parts)])
        check.summary = _import_summary(edition, check.spec)
    return check


class _Row:
    """One workbook row: its cells by column key, each problem named by row and column."""

    def __init__(self, number: int, values: list, position: dict, letter: dict, check: ImportCheck):
        self.number, self.values, self.position, self.letter, self.check = number, values, position, letter, check

    def cell(self, key):
        index = self.position[key]
        return self.values[index] if index < len(self.values) else None

    def text(self, key, *, required=False, max_length=TITLE_MAX) -> str:
        from campaign.importing.layouts import cell_text

        value = cell_text(self.cell(key))
        if required and not value:
            self.check.errors.append(_problem(self.number, self.letter[key], value, _("This cell is required.")))
        elif len(value) > max_length:
            self.check.errors.append(_problem(self.number, self.letter[key], value,
                                              _("Longer than %(max)s characters.") % {"max": max_length}))
        return value


def _sheet_team(code: str, teams: dict, row: int, column: str, check: ImportCheck) -> Team | None:
    if not code:
        return None
    if code not in teams:
        check.errors.append(_problem(row, column, code, _("No special team with this code.")))
        return None
    return teams[code]


def _import_summary(edition: StandardEdition, spec: EditionSpec) -> dict:
    articles = {(a.part.number, a.number): a for a in StandardArticle.objects.filter(part__edition=edition)
                .select_related("part")}
    materials = {m.code: m for m in MaterialRequirement.objects.filter(article__part__edition=edition)}
    summary = {"parts": len(spec.parts), "articles": 0, "new_articles": 0, "materials": 0, "new_materials": 0,
               "retitled": 0, "assigned": 0}
    for part in spec.parts:
        for article in part.articles:
            summary["articles"] += 1
            current = articles.get((part.number, article.number))
            if current is None:
                summary["new_articles"] += 1
            elif (current.title, current.title_en) != (article.title, article.title_en):
                summary["retitled"] += 1
            for material in article.materials:
                summary["materials"] += 1
                existing = materials.get(material.code)
                if existing is None:
                    summary["new_materials"] += 1
                elif (existing.responsible_unit_id, existing.due_date) != (
                        material.unit.pk if material.unit else None, material.due_date):
                    summary["assigned"] += 1
    return summary


def standard_import(*, edition: StandardEdition, data: bytes, actor: User | None,
                    file_name: str = "workbook.xlsx") -> LoadReport:
    """Check the workbook again and write it, all or nothing (StandardDataError names each bad
    row and column). Rows marked not required make their material inactive."""
    _require_hq(actor)
    check = standard_import_check(edition=edition, data=data)
    if check.errors:
        raise StandardDataError([f"{e['row']}/{e['column']}: {e['message']}" for e in check.errors])
    return standard_apply(spec=check.spec, actor=actor, action=StandardChangeAction.IMPORTED,
                          source_name=file_name, deactivate_missing=False)
