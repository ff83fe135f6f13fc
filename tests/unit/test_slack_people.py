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
