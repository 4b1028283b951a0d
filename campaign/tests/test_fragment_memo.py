"""``{% memo %}`` keeps a fragment per key (campaign/templatetags/fragment_memo.py); the pages
that use it (every page's menus, the ledger's and the map's filter fields) come out byte for
byte as they do rendered afresh, for every role and both languages, whichever user's page was
kept first."""

import re

import pytest
from django.template import Context, Template
from django.utils import translation

from campaign.templatetags import fragment_memo
from ledger.choices import Status
from ledger.tests.factories import problem_in

TEMPLATE = Template('{% load i18n fragment_memo %}{% memo "t" key %}{{ key }} {{ other }} '
                    '{% translate "Overview" %}{% endmemo %}')


@pytest.fixture(autouse=True)
def fresh_memo():
    fragment_memo.forget()
    yield
    fragment_memo.forget()


def _render(**context):
    return TEMPLATE.render(Context(context))


def test_a_fragment_is_rendered_once_per_key():
    with translation.override("en"):
        assert _render(key=1, other="a") == "1 a Overview"
        assert _render(key=1, other="b") == "1 a Overview"  # kept: "other" is not a key
        assert _render(key=2, other="b") == "2 b Overview"


def test_a_fragment_is_kept_per_language():
    with translation.override("en"):
        assert _render(key=1) == "1  Overview"
    with translation.override("zh-hans"):
        chinese = _render(key=1)
        assert chinese.startswith("1  ") and "Overview" not in chinese
    with translation.override("en"):
        assert _render(key=1) == "1  Overview"


def test_a_first_key_of_none_and_a_disabled_memo_render_afresh(monkeypatch):
    with translation.override("en"):
        assert _render(key=None, other="a") == "None a Overview"
        assert _render(key=None, other="b") == "None b Overview"
        _render(key=3, other="a")
        monkeypatch.setattr(fragment_memo, "enabled", False)
        assert _render(key=3, other="b") == "3 b Overview"


def test_the_store_is_bounded(monkeypatch):
    monkeypatch.setattr(fragment_memo, "KEEP_AT_MOST", 2)
    with translation.override("en"):
        for key in range(5):
            _render(key=key)
    assert len(fragment_memo._KEPT) <= 2


# --- The pages: kept and afresh give the same bytes ------------------------------------------------

VARYING = re.compile(
    r'name="csrfmiddlewaretoken" value="[^"]+"'  # a new mask per response
    r'|cursor=[^"&]+'  # signed with the time
    r'|(?<=d-print-block small text-body-secondary mb-2">)[^<]*'  # "Printed" and the time
)
PAGES = [
    "/ledger/problems/", "/ledger/problems/?status=assigned&overdue=true", "/ledger/problems/?q=x",
    "/ledger/problems/?found_from=not-a-date", "/maps/", "/maps/?status=found", "/overview/",
    "/ledger/my-tasks/", "/sample-points/",
]


def _pages(client, city, user):
    district = user.district or city.district_a
    point = city.points_a[0]  # another district's lead may not choose it: an error, rendered afresh
    pages = [*PAGES, f"/ledger/problems/?district={district.pk}", f"/maps/?district={district.pk}",
             f"/ledger/problems/?sample_point={point.pk}&status=found"]
    out = {}
    for url in pages:
        response = client.get(url)
        out[url] = (response.status_code, VARYING.sub("", response.content.decode()))
    return out


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_pages_with_the_memo_are_those_rendered_afresh(city, login, settings, monkeypatch, language, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.LANGUAGE_CODE = language
    for status in (Status.FOUND, Status.ASSIGNED):
        problem_in(city, status)
    users = [city.hq, *(city.users[name] for name in (
        "district_lead", "other_district_lead", "leader", "team_lead", "unit_handler", "inspector", "grid_chief"))]
    kept = {}
    for user in users:  # each user's pages after the others' were kept
        client = login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        _pages(client, city, user)
        kept[user.username] = _pages(client, city, user)
    assert fragment_memo._KEPT, "nothing was kept"
    monkeypatch.setattr(fragment_memo, "enabled", False)
    for user in users:
        client = login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        afresh = _pages(client, city, user)
        for url, page in afresh.items():
            assert kept[user.username][url] == page, (user.username, url)


@pytest.mark.django_db
def test_the_menus_are_kept_per_role(city, login):
    hq_page = login(city.hq).get("/overview/").content.decode()
    assert 'id="admin-menu"' in hq_page
    lead_page = login(city.users["district_lead"]).get("/overview/").content.decode()
    assert 'id="admin-menu"' not in lead_page
    inspector_page = login(city.users["inspector"]).get("/overview/").content.decode()
    assert 'id="nav-field"' in inspector_page and 'id="nav-field"' not in lead_page


@pytest.mark.django_db
def test_a_chosen_row_in_the_filter_fields_is_kept_by_its_label(city, login):
    """A chosen district's label is part of the key (ledger_ui.filter_fields_key): renamed,
    it is rendered afresh."""
    client = login(city.hq)
    url = f"/ledger/problems/?district={city.district_a.pk}"
    assert city.district_a.name in client.get(url).content.decode()
    city.district_a.name = "改名后的区"
    city.district_a.save()
    assert "改名后的区" in client.get(url).content.decode()


# --- The current campaign, kept in the cache -----------------------------------------------------


@pytest.mark.django_db
def test_the_current_campaign_is_kept_and_forgotten_when_a_campaign_changes(city, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from campaign.choices import CampaignKind
    from campaign.models import Campaign

    client = login(city.hq)
    assert "创卫测试" not in client.get("/overview/").content.decode()
    first = Campaign.objects.create(name="创卫测试一", city="测试市", kind=CampaignKind.CREATING)
    assert "创卫测试一" in client.get("/overview/").content.decode()
    with CaptureQueriesContext(connection) as queries:
        assert "创卫测试一" in client.get("/overview/").content.decode()
    assert not [q for q in queries.captured_queries if '"campaign_campaign"' in q["sql"]]
    first.name = "创卫测试改名"
    first.save()
    assert "创卫测试改名" in client.get("/overview/").content.decode()
    first.is_current = False
    first.save()
    second = Campaign.objects.create(name="创卫测试二", city="测试市", kind=CampaignKind.CREATING)
    page = client.get("/overview/").content.decode()
    assert "创卫测试二" in page and "创卫测试改名" not in page
    second.delete()
    page = client.get("/overview/").content.decode()
    assert "创卫测试二" not in page


def test_a_memo_cannot_hold_a_block_and_the_block_walk_skips_it():
    from django.template import Template, TemplateSyntaxError

    with pytest.raises(TemplateSyntaxError):
        Template('{% load fragment_memo %}{% memo "x" %}{% block b %}{% endblock %}{% endmemo %}')
    from campaign.templatetags.fragment_memo import MemoNode

    assert MemoNode.child_nodelists == ()


@pytest.mark.django_db
def test_the_scope_label_is_kept_and_forgotten_when_its_district_is_renamed(city):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import translation

    from campaign.models import User

    with translation.override("zh-hans"):
        lead = User.objects.get(pk=city.users["district_lead"].pk)
        first = lead.scope_label
        again = User.objects.get(pk=lead.pk)
        with CaptureQueriesContext(connection) as queries:
            assert again.scope_label == first
        assert len(queries) == 0
        district = again.district
        district.name = "改名区"
        district.save()
        assert User.objects.get(pk=lead.pk).scope_label == "改名区"
