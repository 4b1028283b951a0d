"""The overview, the sample-point list and a sample point's page: who sees what, filters,
pagination, htmx fragments and bounded queries."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from campaign.choices import CampaignKind, IndicatorDirection
from campaign.models import Campaign, Indicator, IndicatorValue, Team, Unit
from campaign.tests.factories import make_sample_point

OVERVIEW = reverse("campaign:overview")
POINTS = reverse("campaign:sample_point_list")

STAFF = ["hq", "leader", "team_lead", "district_lead", "unit_handler", "inspector"]


def english(client):
    """Show pages in English (the source language), so assertions do not depend on catalogs."""
    client.cookies["django_language"] = "en"
    return client


def detail_url(point) -> str:
    return reverse("campaign:sample_point_detail", args=[point.pk])


def month_start(months_ago: int) -> date:
    today = timezone.localdate()
    index = today.year * 12 + today.month - 1 - months_ago
    return date(index // 12, index % 12 + 1, 1)


# --- Access --------------------------------------------------------------------------------------


@pytest.mark.parametrize("url_name", ["overview", "sample_point_list"])
def test_anonymous_is_sent_to_login(city, login, url_name):
    url = reverse(f"campaign:{url_name}")
    response = login(None).get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_anonymous_is_sent_to_login_from_a_sample_point(city, login):
    response = login(None).get(detail_url(city.points_a[0]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_anonymous_htmx_request_is_sent_to_login_as_a_whole_page(city, login):
    response = login(None).get(POINTS, {"q": "x"}, headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(f"{reverse('login')}?next=")


def test_member_of_the_public_may_not_open_the_command_pages(city, login):
    client = login(city.public)
    assert client.get(OVERVIEW).status_code == 403
    assert client.get(POINTS).status_code == 403
    assert client.get(detail_url(city.points_a[0])).status_code == 403


@pytest.mark.parametrize("actor", STAFF)
def test_every_staff_role_opens_the_overview_and_the_list(city, login, actor):
    client = login(getattr(city, actor))
    assert client.get(OVERVIEW).status_code == 200
    assert client.get(POINTS).status_code == 200


def test_district_lead_opens_a_point_in_their_district(city, login):
    response = login(city.district_lead).get(detail_url(city.points_a[0]))
    assert response.status_code == 200
    assert response.context["point"] == city.points_a[0]


def test_district_lead_gets_404_for_other_district_point(city, login):
    response = login(city.district_lead).get(detail_url(city.points_b[0]))
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]


def test_unit_handler_gets_404_for_a_point_of_another_unit(city, login):
    client = login(city.unit_handler)
    assert client.get(detail_url(city.points_a[0])).status_code == 200
    assert client.get(detail_url(city.points_b[1])).status_code == 404


def test_unknown_sample_point_is_404(city, login):
    assert login(city.hq).get(reverse("campaign:sample_point_detail", args=[999_999])).status_code == 404


# --- The base template --------------------------------------------------------------------------


def test_hq_sees_people_and_import_in_the_menu(city, login):
    html = login(city.hq).get(OVERVIEW).content.decode()
    assert f'href="{reverse("campaign:person_list")}"' in html
    assert f'href="{reverse("campaign:sample_point_import")}"' in html
    assert f'href="{reverse("api-docs")}"' in html


def test_district_lead_menu_has_no_people_import_or_admin(city, login):
    html = login(city.district_lead).get(OVERVIEW).content.decode()
    assert f'href="{reverse("campaign:person_list")}"' not in html
    assert f'href="{reverse("campaign:sample_point_import")}"' not in html
    assert f'href="{reverse("admin:index")}"' not in html


def test_admin_link_only_for_staff_accounts(city, login):
    city.hq.is_staff = True
    city.hq.save()
    assert f'href="{reverse("admin:index")}"' in login(city.hq).get(OVERVIEW).content.decode()


def test_header_names_the_user_role_scope_and_campaign(city, login):
    Campaign.objects.create(name="测试市创卫", city="测试市", kind=CampaignKind.CREATING)
    html = english(login(city.district_lead)).get(OVERVIEW).content.decode()
    assert "测试市创卫" in html
    assert "district_lead" in html  # the full name
    assert "District lead" in html
    assert "District A" in html  # the scope, in English


def test_logout_is_a_post_form_and_language_switch_posts_to_set_language(city, login):
    html = login(city.hq).get(OVERVIEW).content.decode()
    # data-signout: the phone's unsent field entries are checked first (static/js/signout-guard.js).
    assert re.search(rf'<form action="{reverse("logout")}" method="post" data-signout[ >]', html)
    assert re.search(rf'<form[^>]*action="{reverse("set_language")}" method="post">', html)
    assert 'name="csrfmiddlewaretoken"' in html
    assert '<meta name="viewport"' in html


def test_pages_load_no_assets_from_the_internet(city, login):
    client = login(city.hq)
    for url in (OVERVIEW, POINTS, detail_url(city.points_a[0])):
        html = client.get(url).content.decode()
        assert not re.search(r'(src|href)="(https?:)?//', html), url


def test_language_switch_changes_the_page_language(city, login):
    client = login(city.hq)
    before = client.get(POINTS).content.decode()
    assert '<html lang="zh-hans">' in before  # Chinese is the default
    assert ">农贸市场</td>" in before
    response = client.post(reverse("set_language"), {"language": "en", "next": POINTS})
    assert response.status_code == 302
    after = client.get(POINTS).content.decode()
    assert '<html lang="en">' in after
    assert ">Farmers&#x27; markets</td>" in after
    assert ">农贸市场</td>" not in after


def test_messages_are_shown(city, login):
    client = login(city.hq)
    client.post(
        reverse("campaign:person_create"),
        {"username": "newbie", "full_name": "新人", "role": "leader",
         "password": "a-long-enough-password-42", "password_confirm": "a-long-enough-password-42"},
    )
    html = client.get(OVERVIEW).content.decode()
    assert 'class="alert alert-success' in html
    assert "newbie" in html


# --- Overview ------------------------------------------------------------------------------------


def test_overview_counts_days_to_the_assessment(city, login):
    Campaign.objects.create(
        name="Demo", city="Demo", kind=CampaignKind.REVIEW,
        assessment_date=timezone.localdate() + timedelta(days=42),
    )
    html = english(login(city.leader)).get(OVERVIEW).content.decode()
    assert '<span class="countdown">42</span>' in html
    assert "days to the assessment" in html
    assert "Review (re-examination)" in html


def test_overview_says_when_the_assessment_date_has_passed(city, login):
    Campaign.objects.create(
        name="Demo", city="Demo", kind=CampaignKind.REVIEW,
        assessment_date=timezone.localdate() - timedelta(days=3),
    )
    html = english(login(city.hq)).get(OVERVIEW).content.decode()
    assert "The assessment date passed 3 days ago." in html


def test_overview_table_counts_points_by_category_and_district(city, login):
    make_sample_point(district=city.district_a, category=city.market, name="甲第二市场")
    make_sample_point(district=city.district_a, category=city.market, name="停用市场", active=False)
    matrix = login(city.hq).get(OVERVIEW).context["matrix"]
    assert matrix["districts"] == [city.district_a, city.district_b]
    rows = {row["category"]: row["cells"] for row in matrix["rows"]}
    assert rows[city.market] == [2, 1]  # the inactive point is not counted
    assert rows[city.restaurant] == [1, 1]
    assert matrix["totals"] == [3, 2]
    assert matrix["total"] == 5


def test_district_lead_overview_counts_only_their_district(city, login):
    response = login(city.district_lead).get(OVERVIEW)
    matrix = response.context["matrix"]
    assert matrix["districts"] == [city.district_a]
    assert matrix["total"] == 2
    assert "乙区" not in response.content.decode()


def test_overview_lists_teams_with_leader_lead_unit_and_members(city, login):
    html = login(city.district_lead).get(OVERVIEW).content.decode()
    for text in ("市容环境组", "王副市长", "市城管局", "甲街道办"):
        assert text in html


def test_overview_shows_indicators_against_target_with_a_trend(city, login):
    met = Indicator.objects.create(code="I1", name="垃圾无害化处理率", target=Decimal("100"))
    missed = Indicator.objects.create(code="I2", name="污水集中处理率", target=Decimal("95"))
    at_most = Indicator.objects.create(
        code="I3", name="鼠密度", target=Decimal("3"), direction=IndicatorDirection.AT_MOST
    )
    for months_ago in range(14):  # older than the trend's 12 months: left out
        IndicatorValue.objects.create(indicator=met, month=month_start(months_ago), value=Decimal("100"))
    IndicatorValue.objects.create(indicator=missed, month=month_start(1), value=Decimal("96"))
    IndicatorValue.objects.create(indicator=missed, month=month_start(0), value=Decimal("90.5"))
    IndicatorValue.objects.create(indicator=at_most, month=month_start(0), value=Decimal("2.4"))
    response = english(login(city.leader)).get(OVERVIEW)
    rows = {row["indicator"].code: row for row in response.context["indicators"]}
    assert rows["I1"]["met"] is True and len(rows["I1"]["values"]) == 12
    assert rows["I2"]["met"] is False and rows["I2"]["latest"].value == Decimal("90.5")
    assert rows["I3"]["met"] is True
    html = response.content.decode()
    assert html.count('<svg class="trend"') == 3
    assert "Not met" in html


def test_overview_query_count_does_not_grow_with_the_city(city, login, django_assert_max_num_queries):
    for n in range(8):
        team = Team.objects.create(code=f"TX{n}", name=f"组{n}", leader_name="某")
        team.member_units.add(city.office_a, city.office_b)
        make_sample_point(district=city.district_b, category=city.restaurant, team=team)
        indicator = Indicator.objects.create(code=f"IX{n}", name=f"指标{n}", target=Decimal("90"))
        for months_ago in range(12):
            IndicatorValue.objects.create(indicator=indicator, month=month_start(months_ago), value=Decimal("91"))
    client = login(city.hq)
    with django_assert_max_num_queries(13):
        response = client.get(OVERVIEW)
    assert response.status_code == 200


# --- Sample-point list ---------------------------------------------------------------------------


def codes(response) -> set[str]:
    return {p.code for p in response.context["page"].object_list}


def test_hq_list_shows_every_district(city, login):
    response = login(city.hq).get(POINTS)
    assert codes(response) == {p.code for p in city.points_a + city.points_b}


def test_district_lead_list_shows_only_their_district(city, login):
    response = login(city.district_lead).get(POINTS)
    assert codes(response) == {p.code for p in city.points_a}
    html = response.content.decode()
    assert "乙农贸市场" not in html


def test_district_filter_narrows_the_list(city, login):
    response = login(city.hq).get(POINTS, {"district": city.district_b.pk})
    assert codes(response) == {p.code for p in city.points_b}


def test_category_and_search_filters_narrow_the_list(city, login):
    client = login(city.hq)
    assert codes(client.get(POINTS, {"category": city.market.pk})) == {
        city.points_a[0].code, city.points_b[0].code
    }
    assert codes(client.get(POINTS, {"q": "小餐馆"})) == {city.points_a[1].code, city.points_b[1].code}
    assert codes(client.get(POINTS, {"q": city.points_b[1].code})) == {city.points_b[1].code}


def test_active_filter_narrows_the_list(city, login):
    closed = make_sample_point(district=city.district_a, category=city.market, name="已关闭市场", active=False)
    client = login(city.hq)
    assert codes(client.get(POINTS, {"active": "false"})) == {closed.code}
    assert closed.code not in codes(client.get(POINTS, {"active": "true"}))


def test_district_leads_filter_choices_leave_out_other_districts(city, login):
    response = login(city.district_lead).get(POINTS)
    form = response.context["form"]
    assert list(form.fields["district"].queryset) == [city.district_a]
    assert city.grid_b not in form.fields["grid"].queryset
    assert city.road_b not in form.fields["road"].queryset
    assert city.office_b not in form.fields["responsible_unit"].queryset
    assert "乙区" not in response.content.decode()


def test_district_lead_cannot_filter_into_another_district(city, login):
    response = login(city.district_lead).get(POINTS, {"district": city.district_b.pk})
    assert response.status_code == 200
    assert "乙农贸市场" not in response.content.decode()
    assert not (codes(response) & {p.code for p in city.points_b})
    assert response.context["form"].errors["district"]


def test_list_paginates_by_fifty_and_page_links_keep_the_filters(city, login):
    for n in range(55):
        make_sample_point(district=city.district_a, category=city.market, name=f"甲市场{n:02d}")
    client = login(city.hq)
    first = client.get(POINTS, {"district": city.district_a.pk})
    assert len(first.context["page"].object_list) == 50
    assert first.context["paginator"].count == 57
    html = first.content.decode()
    assert re.search(rf'href="\?district={city.district_a.pk}&amp;page=2"', html)
    second = client.get(POINTS, {"district": city.district_a.pk, "page": 2})
    assert len(second.context["page"].object_list) == 7
    assert not (codes(first) & codes(second))


def test_out_of_range_page_shows_the_last_page(city, login):
    response = login(city.hq).get(POINTS, {"page": 99})
    assert response.status_code == 200
    assert response.context["page"].number == 1


def test_htmx_request_gets_only_the_results_fragment(city, login):
    client = login(city.hq)
    response = client.get(POINTS, {"district": city.district_b.pk}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="sample-point-results"' in html
    assert codes(response) == {p.code for p in city.points_b}
    assert "HX-Request" in response["Vary"]
    full = client.get(POINTS)
    assert "<html" in full.content.decode() and 'hx-get="' in full.content.decode()


def test_htmx_history_restore_gets_the_whole_page(city, login):
    response = login(city.hq).get(
        POINTS, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in response.content.decode()


def test_list_works_as_a_plain_form_without_javascript(city, login):
    html = login(city.hq).get(POINTS).content.decode()
    assert re.search(rf'<form method="get" action="{POINTS}"', html)
    assert 'name="q"' in html and 'name="district"' in html


def test_list_query_count_does_not_grow_with_the_page(city, login, django_assert_max_num_queries):
    team = Team.objects.create(code="T99", name="另一组", leader_name="某")
    for n in range(60):
        unit = Unit.objects.create(name=f"单位{n}", kind="enterprise", district=city.district_a)
        make_sample_point(
            district=city.district_a, category=city.market, unit=unit, team=team,
            grid=city.grid_a, road=city.road_a, name=f"点{n}",
        )
    client = login(city.hq)
    client.get(POINTS, {"q": "点"})  # the menu's counts (tasks, unread) are kept per user: a page in use
    with django_assert_max_num_queries(13):
        response = client.get(POINTS, {"q": "点"})
    assert len(response.context["page"].object_list) == 50


# --- Sample point --------------------------------------------------------------------------------


def test_sample_point_page_shows_place_chiefs_unit_team_and_coordinates(city, login):
    point = city.points_a[0]
    point.grid = city.grid_a
    point.road = city.road_a
    point.address = "甲路1号"
    point.save()
    html = english(login(city.district_lead)).get(detail_url(point)).content.decode()
    for text in (point.code, "甲农贸市场", "Farmers&#x27; markets", "District A", "甲路1号",
                 "甲一网格", "张网格长", "甲路", "赵路长", "甲街道办", "市容环境组", "王副市长",
                 "30.900000, 121.450000"):
        assert text in html, text


def test_sample_point_page_has_no_map_link(city, login):
    html = login(city.hq).get(detail_url(city.points_a[0])).content.decode()
    assert not re.search(r'href="(https?:)?//', html)


@pytest.mark.parametrize("actor", ["unit_handler", "district_lead", "inspector", "leader", "team_lead"])
def test_roles_other_than_hq_see_no_api_docs_link(city, login, actor):
    html = login(getattr(city, actor)).get(OVERVIEW).content.decode()
    assert f'href="{reverse("api-docs")}"' not in html
