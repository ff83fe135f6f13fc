"""The sandbox in a real browser: a complaint from intake to a Stage Two decision, by clicking.

Every step finds what a person would: a button by its text, a field by its label, the modal
by its title. With COMPLAINTS_SCREENSHOTS=1 the screenshots of the channel, the intake modal
and a letter in the mailbox are written to docs/screenshots/ (the README shows them);
otherwise they go to a scratch folder, so a test run leaves the checkout as it was.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from bot.sandbox_cli import CS_CHANNEL, Running

DOCS_SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SHOTS = (DOCS_SHOTS if os.environ.get("COMPLAINTS_SCREENSHOTS") == "1"
         else Path(tempfile.mkdtemp(prefix="complaints-shots-")))
CASEY, DANA, DREW = "Casey Cross", "Dana Moss", "Drew Hale"
WHO = {CASEY: "Casey Cross (customer services)", DANA: "Dana Moss (director)",
       DREW: "Drew Hale (director)"}


def be(page: Any, name: str) -> None:
    """Switch person with the page's "You are" picker."""
    page.get_by_label("You are").select_option(label=WHO[name])
    expect(page.get_by_label("You are").locator("option:checked")).to_have_text(WHO[name])


def go(page: Any, channel: str) -> None:
    page.get_by_role("link", name=channel).click()
    expect(page.get_by_role("heading", level=2)).to_have_text(channel)


def modal(page: Any, title: str) -> Any:
    dialog = page.get_by_role("dialog", name=title)
    expect(dialog).to_be_visible()
    return dialog


def submit(page: Any, dialog: Any, button: str) -> None:
    dialog.get_by_role("button", name=button, exact=True).click()
    expect(page.get_by_role("dialog")).to_have_count(0)


def card_button(page: Any, name: str) -> None:
    page.locator("main").get_by_role("button", name=name, exact=True).first.click()


def log_complaint(page: Any, screenshot: bool = False, address: str = "") -> str:
    """Log Ada Example's complaint from the composer; its reference."""
    page.get_by_label("Message").fill("/complaint new")
    page.get_by_role("button", name="Send").click()
    intake = modal(page, "Log a complaint")
    intake.get_by_label("Complainant's name").fill("Ada Example")
    intake.get_by_label("Email").fill("ada@example.com")
    if address:
        intake.get_by_label("Postal address").fill(address)
    intake.get_by_label("Relationship to Tiny Tracker").select_option(label="Customer")
    intake.get_by_label("How the complaint came in").select_option(label="Phone")
    intake.get_by_label("What it is about").select_option(label="Product")
    intake.get_by_label("The facts of the complaint").fill(
        "The tracker stopped reporting its position after two days.")
    intake.get_by_label("No", exact=True).check()
    for box in ("I referred them to our complaints procedure", "I sent them our feedback form",
                "I told them what happens next and how long it takes"):
        intake.get_by_label(box).check()
    if screenshot:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.set_viewport_size({"width": 1200, "height": 1700})  # the whole modal in view
        page.screenshot(path=str(SHOTS / "intake-modal.png"))
        page.set_viewport_size({"width": 1200, "height": 900})
    submit(page, intake, "Log complaint")
    expect(page.locator("main")).to_contain_text("TT-")
    found = re.search(r"TT-\d{4}-\d{4}", page.locator("main").inner_text())
    assert found is not None
    return found.group(0)


def acknowledge(page: Any, how: str) -> None:
    """Acknowledge the complaint as Casey, dealing with it, the letter going ``how``."""
    be(page, CASEY)
    card_button(page, "Acknowledge")
    ack = modal(page, "Acknowledge")
    ack.get_by_label("Who is dealing with the complaint").select_option(label=CASEY)
    ack.get_by_role("checkbox").first.check()
    ack.get_by_label(how).check()
    submit(page, ack, "Acknowledge")
    expect(page.locator("main")).to_contain_text("acknowledged it")


def test_a_complaint_from_the_composer_to_an_approved_stage_two_decision(page: Any) -> None:
    page.on("dialog", lambda confirm: confirm.accept())
    expect(page.get_by_role("note")).to_contain_text("this is not Slack")
    log_complaint(page, screenshot=True)
    expect(page.locator("main")).to_contain_text("logged the complaint")

    be(page, CASEY)
    card_button(page, "Acknowledge")
    ack = modal(page, "Acknowledge")
    ack.get_by_label("Who is dealing with the complaint").select_option(label=CASEY)
    ack.get_by_role("checkbox").first.check()
    submit(page, ack, "Acknowledge")
    expect(page.locator("main")).to_contain_text("acknowledged it")

    card_button(page, "Assign investigator")
    assign = modal(page, "Assign investigator")
    assign.get_by_label("Who investigates").select_option(label=CASEY)
    submit(page, assign, "Assign")
    card_button(page, "Investigation concluded")
    concluded = modal(page, "Investigation concluded")
    concluded.get_by_label("Findings and action taken").fill("Firmware fault confirmed.")
    submit(page, concluded, "Record")
    card_button(page, "Send reply")
    reply = modal(page, "Send Stage One reply")
    reply.get_by_label("Partly upheld").check()
    reply.get_by_label("Suggestions for resolving the matter").fill("A replacement unit.")
    submit(page, reply, "Record reply")

    card_button(page, "Escalate to Stage Two")
    escalate = modal(page, "Escalate to Stage Two")
    escalate.get_by_label("How they asked").fill("email to the MD")
    submit(page, escalate, "Escalate")
    expect(page.locator("main")).to_contain_text("In Stage Two review")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "customer-services-channel.png"), full_page=True)

    be(page, DANA)
    go(page, "# directors")
    card_button(page, "Acknowledge review")
    submit(page, modal(page, "Acknowledge review"), "Acknowledge")
    card_button(page, "Draft decision (reviewer or delegate)")
    decision = modal(page, "Draft decision")
    decision.get_by_label("Upheld", exact=True).check()
    decision.get_by_label("Reasons").fill("The unit was faulty.")
    decision.get_by_label("What we will do").fill("Replacement and refund.")
    submit(page, decision, "Send to directors")
    expect(page.locator("main")).to_contain_text("Decision drafted")

    be(page, DREW)
    card_button(page, "Approve decision")
    expect(page.locator("main")).to_contain_text("approved the final decision: Upheld")


def test_the_demo_clock_brings_an_overdue_alert(page: Any) -> None:
    log_complaint(page)
    clock = page.locator("#demo-clock")

    def next_working_day() -> None:
        before = clock.inner_text()
        page.get_by_role("button", name="Next working day 09:00").click()
        expect(clock).not_to_have_text(before)
        expect(clock).to_contain_text("09:00")

    # Acknowledgement is due 3 working days after receipt, or 4 after a complaint logged
    # after the close of business: move the clock to the due day, then one day past it.
    due = re.search(r"Acknowledgement due \w{3} (\d{1,2} \w{3})",
                    page.locator("main").inner_text())
    assert due is not None
    for _ in range(8):
        next_working_day()
        if due.group(1) in clock.inner_text():
            break
    else:
        raise AssertionError(f"the demo clock never reached {due.group(1)}")
    next_working_day()
    # The overdue alert goes through the outbox, paced like Slack's rate limits.
    expect(page.locator("main")).to_contain_text("Overdue", timeout=45_000)
    expect(page.locator("main")).to_contain_text("Acknowledgement")


def test_message_shortcut_prefills_the_intake_and_app_home_opens(page: Any) -> None:
    page.get_by_label("Message").fill("Customer rang: the tracker shows no position.")
    page.get_by_role("button", name="Send").click()
    said = page.locator("article", has_text="Customer rang")
    said.get_by_role("button", name="Log as complaint").click()
    intake = modal(page, "Log a complaint")
    expect(intake.get_by_label("The facts of the complaint")).to_have_value(
        "Customer rang: the tracker shows no position.")
    intake.get_by_role("button", name="Log complaint").click()  # name, contact... missing
    intake = modal(page, "Log a complaint")
    expect(intake.get_by_role("alert").first).to_be_visible()  # the bot's inline errors
    intake.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("dialog")).to_have_count(0)

    # The bot posts while this runs (the page updates in place, never reloading): one
    # press of App Home is enough.
    page.get_by_role("button", name="App Home").click()
    expect(page.get_by_role("heading", level=2)).to_have_text("App Home")
    expect(page.locator("main")).to_contain_text("Your open cases")
    page.locator("main").get_by_role("button", name="Log a complaint").click()
    expect(modal(page, "Log a complaint")).to_contain_text("Complainant's name")


def test_read_a_letter_in_the_mailbox(page: Any) -> None:
    reference = log_complaint(page)
    acknowledge(page, "Email it to the complainant")

    page.get_by_role("link", name=re.compile(r"^Mailbox")).click()
    expect(page.get_by_role("heading", level=2)).to_have_text("Mailbox")
    # The outbox sends it (after rendering its PDFs): the list shows it when it lands.
    letter = page.get_by_role("row", name=re.compile(f"Acknowledgement of your complaint "
                                                     f".{reference}"))
    expect(letter).to_contain_text("ada@example.com", timeout=45_000)
    letter.get_by_role("link").click()
    read = page.get_by_role("article", name="Letter")
    expect(read).to_contain_text("Dear Ada Example")
    expect(read).to_contain_text("Casey Cross")
    procedure = read.get_by_role("link", name="complaints-procedure.pdf")
    page.screenshot(path=str(SHOTS / "mailbox-letter.png"), full_page=True)
    expect(procedure).to_be_visible()
    expect(read.get_by_role("link", name=f"stage-one-acknowledgement-{reference}.pdf")
           ).to_be_visible()
    opened = page.request.get(procedure.evaluate("link => link.href"))
    assert opened.headers["content-type"] == "application/pdf"
    assert opened.body().startswith(b"%PDF")


def test_a_posted_letter_is_a_pdf_in_the_senders_dm(page: Any) -> None:
    reference = log_complaint(page, address="1 High Street\nHull\nHU1 1AA")
    acknowledge(page, "Post it (I get a PDF to print)")

    page.get_by_role("link", name="Complaints Desk (DM)").click()
    expect(page.get_by_role("heading", level=2)).to_have_text("Complaints Desk (direct messages)")
    pdf = page.locator("main").get_by_role("link",
                                           name=f"stage-one-acknowledgement-{reference}.pdf")
    expect(pdf).to_be_visible(timeout=30_000)
    expect(page.locator("main")).to_contain_text("to print and post")
    opened = page.request.get(pdf.evaluate("link => link.href"))
    assert opened.headers["content-type"] == "application/pdf"
    assert opened.body().startswith(b"%PDF")


def test_the_page_updates_in_place_and_keeps_what_is_being_typed(page: Any,
                                                                 sandbox: Running) -> None:
    page.evaluate("window.notReloaded = true")
    page.get_by_label("Message").fill("half a sentence")
    # Someone else speaks in the channel: it shows up here by itself (a server-sent event),
    # without a reload, and what was being typed stays.
    sandbox.workspace.post_as("U0DANADIR1", CS_CHANNEL, "Morning all.")
    expect(page.locator("main article", has_text="Morning all.")).to_contain_text("Dana Moss")
    assert page.evaluate("window.notReloaded") is True
    expect(page.get_by_label("Message")).to_have_value("half a sentence")
