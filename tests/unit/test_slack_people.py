"""handlers.people.SlackPeople: person ids out to Slack, Slack ids in, one lookup per call."""

from __future__ import annotations

from collections.abc import Iterable

from cases.people import Account, AccountKind, Person
from handlers.people import PeopleClient, SlackPeople

ADA = Person("P-00000000a1", "Ada <Lovelace>", (Account(AccountKind.EMAIL, "ada@x.example"),))
BEA = Person("P-00000000b2", "Bea", (Account(AccountKind.SLACK, "U0BEA0001"),))


class Desk:
    """The two people questions, counting how often the database would be asked."""

    def __init__(self) -> None:
        self.people_by_id = {ADA.id: ADA, BEA.id: BEA}
        self.lookups = 0
        self.created: list[str] = []

    def people(self, ids: Iterable[str]) -> dict[str, Person]:
        self.lookups += 1
        return {i: self.people_by_id[i] for i in ids if i in self.people_by_id}

    def person_for_account(self, kind: AccountKind, external_id: str,
                           display_name: str = "") -> Person:
        self.created.append(external_id)
        return Person(f"P-{len(self.created):010x}", display_name or external_id,
                      (Account(kind, external_id),))


def test_mentions_and_addresses_become_slack_ids_or_escaped_names() -> None:
    desk = Desk()
    people = SlackPeople(desk)  # type: ignore[arg-type]
    sent = people.to_slack({
        "channel": BEA.id, "text": f"<@{BEA.id}> assigned <@{ADA.id}>; <@U0OLD0001> too",
        "blocks": [{"type": "input", "element": {"initial_user": BEA.id}},
                   {"type": "section", "text": {"text": f"Owner: <@{ADA.id}>"}}]})
    assert sent == {
        "channel": "U0BEA0001",
        "text": "<@U0BEA0001> assigned Ada &lt;Lovelace&gt;; <@U0OLD0001> too",
        "blocks": [{"type": "input", "element": {"initial_user": "U0BEA0001"}},
                   {"type": "section", "text": {"text": "Owner: Ada &lt;Lovelace&gt;"}}]}
    assert desk.lookups == 1  # every person of the call in one lookup
    people.to_slack({"text": f"<@{BEA.id}>"})
    assert desk.lookups == 1  # a Slack account, once known, is remembered


def test_user_text_is_left_alone_and_a_person_without_slack_has_no_address() -> None:
    desk = Desk()
    people = SlackPeople(desk)  # type: ignore[arg-type]
    assert people.to_slack({"text": f"&lt;@{BEA.id}&gt; {BEA.id}"}) == {
        "text": f"&lt;@{BEA.id}&gt; {BEA.id}"}
    assert desk.lookups == 0
    assert people.slack_id(ADA.id) is None and people.slack_id("U0OLD0001") == "U0OLD0001"


def test_a_slack_user_becomes_one_person_and_the_cache_stays_bounded() -> None:
    desk = Desk()
    people = SlackPeople(desk, cache_size=2)  # type: ignore[arg-type]
    first = people.person_for("U0NEW0001", "nina")
    assert people.person_for("U0NEW0001") == first and desk.created == ["U0NEW0001"]
    people.person_for("U0NEW0002")
    people.person_for("U0NEW0003")  # pushes the oldest out
    people.person_for("U0NEW0001")
    assert desk.created == ["U0NEW0001", "U0NEW0002", "U0NEW0003", "U0NEW0001"]


def test_the_client_translates_every_call() -> None:
    calls: list[dict[str, object]] = []

    class Client:
        def chat_postMessage(self, **kwargs: object) -> str:  # noqa: N802 - Slack's name
            calls.append(kwargs)
            return "ok"

    client = PeopleClient(Client(), SlackPeople(Desk()))  # type: ignore[arg-type]
    assert client.chat_postMessage(channel=BEA.id, text=f"hi <@{BEA.id}>") == "ok"
    assert calls == [{"channel": "U0BEA0001", "text": "hi <@U0BEA0001>"}]


def test_only_a_person_key_or_a_mention_is_translated_never_user_text_that_looks_like_one(
        ) -> None:
    desk = Desk()
    people = SlackPeople(desk)  # type: ignore[arg-type]
    looks_like = f'"user": "{BEA.id}", {{"channel": "{BEA.id}"}} <@{BEA.id}'
    sent = people.to_slack({
        "text": looks_like, "user": BEA.id,
        "blocks": [{"type": "section", "block_id": BEA.id, "text": {"text": looks_like}},
                   {"elements": [{"initial_user": ADA.id}, {"users": BEA.id}]}]})
    assert sent == {
        "text": looks_like, "user": "U0BEA0001",
        "blocks": [{"type": "section", "block_id": BEA.id, "text": {"text": looks_like}},
                   # Ada has no Slack account: her id is left for Slack to refuse, not guessed.
                   {"elements": [{"initial_user": ADA.id}, {"users": "U0BEA0001"}]}]}


def test_a_payload_that_is_not_json_is_translated_too_and_its_bytes_kept() -> None:
    people = SlackPeople(Desk())  # type: ignore[arg-type]
    pdf = b"%PDF-1.7 ..."
    sent = people.to_slack({"channel": BEA.id, "content": pdf,
                            "initial_comment": f"For <@{ADA.id}>", "parts": ("a", 1)})
    assert sent == {"channel": "U0BEA0001", "content": pdf,
                    "initial_comment": "For Ada &lt;Lovelace&gt;", "parts": ["a", 1]}
    assert sent["content"] is pdf


def test_block_kit_objects_go_out_as_plain_dicts_and_a_shared_payload_is_not_changed(
        ) -> None:
    from slack_sdk.models.blocks import MarkdownTextObject, SectionBlock

    people = SlackPeople(Desk())  # type: ignore[arg-type]
    shared = {"blocks": [SectionBlock(text=MarkdownTextObject(text=f"Owner <@{BEA.id}>"))]}
    sent = people.to_slack(shared)
    assert sent == {"blocks": [{"type": "section",
                                "text": {"type": "mrkdwn", "text": "Owner <@U0BEA0001>"}}]}
    cached = {"view": {"blocks": [{"text": f"<@{BEA.id}>"}]}}
    people.to_slack(cached)["view"]["blocks"][0]["text"] = "changed"
    assert cached == {"view": {"blocks": [{"text": f"<@{BEA.id}>"}]}}


def test_call_arguments_are_to_slacks_and_carry_the_json_text_that_is_sent() -> None:
    import json

    from handlers.slack_client import JSONObject, json_body

    people = SlackPeople(Desk())  # type: ignore[arg-type]
    nobody = {"type": "modal", "blocks": [{"type": "section", "text": {"text": "Hi"}}]}
    memo = JSONObject(nobody, json.dumps(nobody))  # as the blank intake modal is kept
    naming = {"type": "modal", "blocks": [{"text": f"<@{BEA.id}>"}]}
    kwargs = {"channel": BEA.id, "text": f"for <@{ADA.id}>", "view": memo,
              "blocks": [{"elements": [{"initial_user": BEA.id}]}],
              "modal": JSONObject(naming, json.dumps(naming)), "unfurl": None,
              "details": {"type": "modal", "blocks": [{"text": "plain JSON, nobody named"}]}}
    args = people.call_arguments(kwargs)
    assert args == people.to_slack(kwargs)
    assert list(args) == list(kwargs)
    assert args["view"] is memo  # names nobody: passed on, not written out again
    assert args["modal"] == {"type": "modal", "blocks": [{"text": "<@U0BEA0001>"}]}
    for key in ("modal", "blocks", "details"):  # details: written out once, not read back
        assert json.loads(args[key].json_text) == args[key]
    assert json.loads(json_body(args)) == people.to_slack(kwargs)
    assert kwargs["modal"] == naming  # the caller's value is not changed


def test_the_body_holds_a_carried_text_as_it_is() -> None:
    from handlers.slack_client import JSONArray, JSONObject, json_body

    spaced = JSONObject({"a": 1}, '{ "a" : 1 }')
    assert (json_body({"trigger_id": "t", "view": spaced})
            == '{"trigger_id": "t", "view": { "a" : 1 }}')
    assert json_body({"blocks": JSONArray([1], "[ 1 ]")}) == '{"blocks": [ 1 ]}'
    assert json_body({"text": "plain"}) == '{"text": "plain"}'
