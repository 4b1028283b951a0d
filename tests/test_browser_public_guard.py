"""The proof of work of public forms runs in a phone's browser under the site's CSP: the
solver fills the hidden field, sending before it is done waits for it, and it works where
crypto.subtle is missing (a plain-HTTP intranet page) and where a Web Worker cannot start."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True),
              pytest.mark.urls("campaign.tests.public_guard_urls")]


@pytest.fixture(autouse=True)
def difficulty(settings):
    settings.PUBLIC_CHALLENGE_BITS = 12  # 8 solutions of 12 bits: a fraction of a second (default 14)


def watch(page) -> list[str]:
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    return problems


def test_the_solver_fills_the_field_and_the_form_is_accepted(live_server, phone_page):
    page = phone_page
    problems = watch(page)
    page.goto(f"{live_server.url}/guarded/")
    expect(page.locator("[data-pow-status]")).to_have_text("安全验证已完成。")
    page.fill("#id_description", "路边垃圾")
    page.click("button[type=submit]")
    expect(page.locator("#outcome")).to_have_text("accepted 路边垃圾")
    assert problems == []


def test_sending_before_the_check_is_done_waits_for_it(live_server, phone_page):
    page = phone_page
    problems = watch(page)
    # The worker gets its task only when the test says so: the button is pressed first.
    page.add_init_script("""
        const Original = window.Worker;
        window.Worker = function (url) {
            const worker = new Original(url);
            const post = worker.postMessage.bind(worker);
            worker.postMessage = function (message) { window.release = function () { post(message); }; };
            return worker;
        };
    """)
    page.goto(f"{live_server.url}/guarded/")
    page.fill("#id_description", "积水")
    page.click("button[type=submit]")
    expect(page.locator("[data-pow-status]")).to_have_text("浏览器正在进行简短的安全验证…")
    assert page.locator("input[name=proof]").input_value() == ""
    assert page.locator("#outcome").inner_text() == ""  # not sent yet
    page.evaluate("() => window.release()")
    expect(page.locator("#outcome")).to_have_text("accepted 积水")
    assert problems == []


def test_it_works_without_crypto_subtle_and_without_web_workers(live_server, phone_page):
    page = phone_page
    problems = watch(page)
    page.add_init_script("""
        Object.defineProperty(globalThis.crypto, "subtle", {value: undefined, configurable: true});
        window.Worker = undefined;
    """)
    page.goto(f"{live_server.url}/guarded/")
    assert page.evaluate("() => window.crypto.subtle === undefined && window.Worker === undefined")
    expect(page.locator("input[name=proof]")).to_have_attribute("data-pow-solved", "page")
    page.fill("#id_description", "乱堆物料")
    page.click("button[type=submit]")
    expect(page.locator("#outcome")).to_have_text("accepted 乱堆物料")
    assert problems == []


def test_the_worker_runs_without_crypto_subtle(live_server, phone_page):
    page = phone_page
    problems = watch(page)
    # Inside the worker too: the solver never touches crypto.subtle.
    page.add_init_script("""
        Object.defineProperty(globalThis.crypto, "subtle", {value: undefined, configurable: true});
        const Original = window.Worker;
        window.workersStarted = 0;
        window.Worker = function (url) { window.workersStarted += 1; return new Original(url); };
    """)
    page.goto(f"{live_server.url}/guarded/")
    # Solved in the worker: the CSP lets this site's script run as one.
    expect(page.locator("input[name=proof]")).to_have_attribute("data-pow-solved", "worker")
    assert page.evaluate("() => window.workersStarted") == 1
    challenge = page.locator("input[name=proof]").get_attribute("data-pow-challenge")
    token, nonces = page.locator("input[name=proof]").input_value().rsplit("/", 1)
    assert token == challenge and len(set(nonces.split(","))) == 8
    assert problems == []
