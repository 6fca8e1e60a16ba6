"""The chat widget in a real browser (Debian's chromium, driven by Playwright) on the demo page."""

import json
from pathlib import Path

import pytest
import requests

from bot.shared.settings import load_settings
from tests.support.checklist import checklist_length, numbered
from tests.support.widget import LOG, ask, bot_messages, open_widget, wait_for_bot_text

SETTINGS = load_settings()  # the clinic's numbers, as the servers read them

pytestmark = [pytest.mark.server, pytest.mark.browser]

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


@pytest.fixture
def page(browser, assistant):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(f"{assistant.url}/webhooks/widget/demo")
    yield page
    context.close()


def test_opening_shows_the_greeting_and_answers_an_faq(page):
    open_widget(page)
    assert page.get_by_role("dialog").is_visible()
    ask(page, "how long does a session take?")
    wait_for_bot_text(page, "3 minutes")
    assert (
        page.locator(f"{LOG} .cryo-chat__msg--user")
        .last.inner_text()
        .endswith("how long does a session take?")
    )


def test_the_checklist_runs_to_the_end_with_the_buttons(page):
    open_widget(page)
    ask(page, "can I do cryotherapy?")
    for number in range(1, checklist_length() + 1):
        wait_for_bot_text(page, numbered(number))
        page.locator(".cryo-chat__choices").last.get_by_role("button", name="No").click()
    wait_for_bot_text(page, "not a medical clearance")
    assert page.locator(".cryo-chat__choices").count() == 0  # used buttons disappear


def test_the_conversation_survives_reloads_and_other_pages_and_start_over_clears_it(
    page, assistant
):
    open_widget(page)
    ask(page, "what are the side effects?")
    wait_for_bot_text(page, "tingling")
    page.reload()
    wait_for_bot_text(page, "tingling", timeout=5_000)
    page.goto(f"{assistant.url}/webhooks/widget/demo/treatments")
    wait_for_bot_text(page, "tingling", timeout=5_000)
    page.get_by_role("button", name="Start over").click()
    wait_for_bot_text(page, "not medical advice")
    assert page.locator(LOG, has_text="tingling").count() == 0


def stored_conversation(page):
    return json.loads(
        page.evaluate(
            "() => Object.entries(localStorage).find(([k]) => k.startsWith('cryoChat:'))[1]"
        )
    )


def test_delete_my_data_also_forgets_the_copy_in_the_browser(page, assistant):
    open_widget(page)
    ask(page, "I have asthma, can I still do cryotherapy?")
    wait_for_bot_text(page, numbered(2))
    before = stored_conversation(page)["sender"]
    ask(page, "delete my data")
    wait_for_bot_text(page, "can't be undone")
    page.locator(".cryo-chat__choices").last.get_by_role("button", name="Yes").click()
    wait_for_bot_text(page, "have been deleted")
    stored = stored_conversation(page)
    assert stored["sender"] != before
    assert [m["text"] for m in stored["history"]] == [assistant_reply(stored)]
    assert page.locator(LOG, has_text="asthma").count() == 0
    page.reload()
    assert page.locator(LOG, has_text="asthma").count() == 0


def assistant_reply(stored):
    return next(m["text"] for m in stored["history"] if "have been deleted" in m["text"])


def test_keyboard_only(page):
    launcher = page.get_by_role("button", name="Ask about cryotherapy")
    for _ in range(10):
        page.keyboard.press("Tab")
        if launcher.evaluate("node => node === document.activeElement"):
            break
    else:
        pytest.fail("The launcher cannot be reached with Tab.")
    page.keyboard.press("Enter")
    wait_for_bot_text(page, "not medical advice")
    assert page.get_by_label("Your message").evaluate("node => node === document.activeElement")
    page.keyboard.type("check if it's safe for me")
    page.keyboard.press("Enter")
    wait_for_bot_text(page, numbered(1))
    page.keyboard.press("Shift+Tab")  # from the input back to the last quick reply ("No")
    page.keyboard.press("Shift+Tab")  # "Yes"
    page.keyboard.press("Enter")
    wait_for_bot_text(page, numbered(2))
    page.keyboard.press("Escape")
    assert not page.get_by_role("dialog").is_visible()
    assert launcher.evaluate("node => node === document.activeElement")
    slots = assistant_tracker_slots(page)
    assert slots["respiratory_illness"] is True


def assistant_tracker_slots(page):
    sender = json.loads(
        page.evaluate(
            "() => Object.entries(localStorage).find(([k]) => k.startsWith('cryoChat:'))[1]"
        )
    )["sender"]
    url = page.url.split("/webhooks/")[0]
    return requests.get(
        f"{url}/conversations/{sender}/tracker", params={"token": "test-token"}, timeout=10
    ).json()["slots"]


XSS = ["<img src=x onerror=\"window.__xss='img'\">", "<script>window.__xss='script'</script>"]


def test_messages_are_never_inserted_as_html_in_either_direction(page):
    open_widget(page)
    for attack in XSS:
        ask(page, attack)
        page.locator(f"{LOG} .cryo-chat__msg--user", has_text=attack).wait_for()
    reply = [
        {
            "recipient_id": "x",
            "text": XSS[0] + " see https://example.org/a?b=1",
            "buttons": [{"title": XSS[1], "payload": "/deny"}],
        }
    ]
    page.route(
        "**/webhooks/widget/webhook",
        lambda route: route.fulfill(
            status=200, content_type="application/json", body=json.dumps(reply)
        ),
    )
    ask(page, "hello")
    wait_for_bot_text(page, XSS[0])
    assert page.locator(".cryo-chat__choices button", has_text=XSS[1]).first.is_visible()
    assert page.locator(f"{LOG} img, {LOG} script").count() == 0
    assert page.evaluate("() => window.__xss") is None
    link = page.locator(f"{LOG} a").last
    assert link.get_attribute("href") == "https://example.org/a?b=1"
    assert link.get_attribute("rel") == "noopener noreferrer"


def test_too_many_messages_shows_the_servers_friendly_message(page):
    from bot.channels.rest import rate_limited_reply

    open_widget(page)
    page.route(
        "**/webhooks/widget/webhook",
        lambda route: route.fulfill(
            status=429,
            content_type="application/json",
            headers={"Retry-After": "5"},
            body=json.dumps([{"recipient_id": None, "text": rate_limited_reply()}]),
        ),
    )
    ask(page, "hello")
    wait_for_bot_text(page, "faster than I can answer")
    assert bot_messages(page).filter(has_text="can't reach the assistant").count() == 0


@pytest.mark.parametrize("width, height", [(320, 640), (390, 844), (1280, 800)])
def test_screenshots_on_a_phone_and_a_desktop(browser, assistant, width, height):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(f"{assistant.url}/webhooks/widget/demo")
    open_widget(page)
    ask(page, "can I do cryotherapy?")
    wait_for_bot_text(page, numbered(1))
    panel = page.get_by_role("dialog").bounding_box()
    assert panel["x"] >= 0 and panel["x"] + panel["width"] <= width  # fits the screen
    if width <= 480:
        # On a phone the open panel covers the whole screen: no page header shows above it.
        assert (panel["x"], panel["y"], panel["width"], panel["height"]) == (0, 0, width, height)
        top_left = page.evaluate(
            "() => document.elementFromPoint(5, 5).closest('.cryo-chat') !== null"
        )
        assert top_left
    assert not page.get_by_role("button", name="Ask about cryotherapy").is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"widget-{width}px.png"
    page.screenshot(path=str(path))
    context.close()
    assert path.stat().st_size > 10_000


def test_widget_files_have_a_content_security_policy(assistant):
    for name in ("widget.js", "widget.css", "demo"):
        response = requests.get(f"{assistant.url}/webhooks/widget/{name}", timeout=10)
        assert response.status_code == 200
        assert "default-src 'none'" in response.headers["Content-Security-Policy"]


def test_cross_origin_calls_only_from_the_clinics_origins(assistant):
    url = f"{assistant.url}/webhooks/widget/webhook"
    allowed = requests.options(url, headers={"Origin": "http://clinic.example"}, timeout=10)
    assert allowed.headers.get("Access-Control-Allow-Origin") == "http://clinic.example"
    other = requests.options(url, headers={"Origin": "http://evil.example"}, timeout=10)
    assert "Access-Control-Allow-Origin" not in other.headers


def test_the_widget_endpoint_validates_like_the_rest_channel(assistant):
    response = requests.post(f"{assistant.url}/webhooks/widget/webhook", data=b"{oops", timeout=10)
    assert response.status_code == 400 and "not valid JSON" in response.json()["error"]


def test_when_the_server_cannot_be_reached_the_widget_still_gives_the_emergency_number(page):
    open_widget(page)
    page.route("**/webhooks/widget/webhook", lambda route: route.abort())
    ask(page, "hello")
    wait_for_bot_text(page, "can't reach the assistant")
    assert (
        bot_messages(page)
        .last.inner_text()
        .endswith(f"If this is an emergency, call {SETTINGS.emergency_number} now.")
    )
