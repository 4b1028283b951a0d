"""A resident answers the satisfaction survey on a phone, in Chromium: open the link, pick the
district, answer, send, read the thanks; a second attempt the same day is refused kindly (the
link opened again, and a copy of the form left open in another tab)."""

import pytest
from playwright.sync_api import expect

from assessment.models import SurveyAnswer, SurveyResponse
from assessment.tests.satisfaction_factories import make_survey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def easy_check(settings):
    settings.PUBLIC_CHALLENGE_BITS = 10


def watch(page, problems: list[str] | None = None) -> list[str]:
    problems = [] if problems is None else problems
    page.on("pageerror", lambda error: problems.append(str(error)))
    # A refused form answers 400 (and a second answer 409), which Chromium logs: not a script error.
    page.on("console", lambda message: problems.append(message.text)
            if message.type == "error" and "Failed to load resource" not in message.text else None)
    return problems


def test_a_resident_answers_on_a_phone_and_a_second_answer_the_same_day_is_refused_kindly(
        live_server, phone_page, city):
    survey, rating, yes_no, choice = make_survey(city.users["hq"])
    page = phone_page
    problems = watch(page)
    url = f"{live_server.url}/survey/{survey.slug}/"
    page.goto(url)
    expect(page.locator("h1")).to_have_text("群众满意度调查")
    # A second tab of the same phone, opened before the first one sends.
    other = page.context.new_page()
    watch(other, problems)
    other.goto(url)

    page.select_option("#id_district", str(city.district_a.pk))
    # Sending without the required answers names the question.
    page.check(f"input[name=q{rating.pk}][value='4']")
    page.click("#survey-submit")
    expect(page.locator("#form-errors")).to_contain_text("您知道本市在创建国家卫生城市吗？")
    assert SurveyResponse.objects.count() == 0
    # The page kept what was chosen; answer the rest and send.
    expect(page.locator(f"input[name=q{rating.pk}][value='4']")).to_be_checked()
    page.check(f"input[name=q{yes_no.pk}][value='1']")
    page.check(f"input[name=q{choice.pk}][value='2']")
    page.click("#survey-submit")
    expect(page.locator("#survey-thanks")).to_contain_text("感谢")
    assert page.viewport_size["width"] == 390
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390  # no sideways scrolling

    response = SurveyResponse.objects.get()
    assert response.district_id == city.district_a.pk
    assert sorted(SurveyAnswer.objects.values_list("value", flat=True)) == [1, 2, 4]

    # The link opened again the same day: a kind word, no form.
    page.goto(url)
    expect(page.locator("#survey-message")).to_contain_text("明天")
    expect(page.locator("#survey-form")).to_have_count(0)

    # The copy left open in the other tab is refused the same way when sent.
    other.select_option("#id_district", str(city.district_b.pk))
    other.check(f"input[name=q{rating.pk}][value='1']")
    other.check(f"input[name=q{yes_no.pk}][value='0']")
    other.click("#survey-submit")
    expect(other.locator("#survey-message")).to_contain_text("明天")
    assert SurveyResponse.objects.count() == 1
    assert problems == []


def test_after_the_first_answer_from_a_network_the_phone_solves_the_proof_of_work(live_server, phone_page, city,
                                                                                  settings):
    settings.PUBLIC_CHALLENGE_FREE_PER_DAY = 0  # asked from the first answer, as for the second from a network
    survey, rating, yes_no, _choice = make_survey(city.users["hq"])
    page = phone_page
    problems = watch(page)
    page.goto(f"{live_server.url}/survey/{survey.slug}/")
    expect(page.locator("[data-pow-status]")).to_have_text("安全验证已完成。")
    page.select_option("#id_district", str(city.district_b.pk))
    page.check(f"input[name=q{rating.pk}][value='2']")
    page.check(f"input[name=q{yes_no.pk}][value='1']")
    page.click("#survey-submit")
    expect(page.locator("#survey-thanks")).to_be_visible()
    assert SurveyResponse.objects.get().district_id == city.district_b.pk
    assert problems == []
