"""Finding a case: the normalised terms a case is found by, and the keys a search asks for.

A case is found by its reference, the complainant's name and organisation (each word),
their email and their phone (as one E.164 key, however it was typed). A search's words must
each begin some term of the case (so "ada exa" finds Ada Example). Storage indexes the
terms; this module decides what they are, on both sides, in one place.
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers

from cases.intake import IntakeRecord

MAX_TERM = 200
MAX_KEYS = 6
MIN_KEY = 2


def phone_key(text: str) -> str:
    """One key for a phone number however it is written ("+44 1482 123456", "01482123456").

    ValueError when ``text`` is not a valid number (read as a UK one without a country code).
    """
    try:
        number = phonenumbers.parse(text, "GB")
    except phonenumbers.NumberParseException:
        raise ValueError(f"not a phone number: {text!r}") from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError(f"not a valid phone number: {text!r}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# What ``cases.intake.normalise_phone`` writes (phonenumbers' international format): a
# plus, the country code and the national number, grouped by spaces, hyphens or dots
# (New Caledonia's); never a national prefix, brackets or an extension.
_INTERNATIONAL = re.compile(r"\+[1-9][0-9]*(?:[ .-][0-9]+)*")


def normalised_phone_key(phone: str) -> str:
    """``phone_key`` of a number as the intake stores it (``normalise_phone`` checked it
    then): its digits after the plus, read off rather than parsed again. A case's phone
    is keyed twice per save (its contact key and its search term), and a parse costs
    77 us; reading the digits, a microsecond. Anything in another form is parsed."""
    if _INTERNATIONAL.fullmatch(phone):
        return "+" + re.sub(r"[ .-]", "", phone[1:])
    return phone_key(phone)


def fold(text: str) -> str:
    """Lower case, accents dropped, spaces collapsed: 'Zoë  O’Brien' -> "zoe o'brien"."""
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


def _words(text: str | None) -> set[str]:
    if not text:
        return set()
    return {w for w in re.split(r"[\s,;()\"]+", fold(text)) if w}


def search_terms(reference: str, intake: IntakeRecord) -> frozenset[str]:
    """Every term ``intake`` (of case ``reference``) is found by, each at most MAX_TERM long."""
    return terms_of(reference, name=intake.complainant_name, organisation=intake.organisation,
                    email=str(intake.email) if intake.email else None, phone=intake.phone,
                    phone_normalised=True)


def terms_of(reference: str, *, name: str | None, organisation: str | None,
             email: str | None, phone: str | None, phone_normalised: bool = False
             ) -> frozenset[str]:
    """The terms from the stored fields themselves (a migration indexes old rows with it).

    ``phone_normalised``: ``phone`` is an intake record's, as ``normalise_phone`` wrote it.
    """
    terms = {fold(reference)} | _words(name) | _words(organisation)
    if email:
        terms.add(fold(email))
    if phone:
        try:
            terms.add(normalised_phone_key(phone) if phone_normalised else phone_key(phone))
        except ValueError:
            terms.add(fold(phone))
    return frozenset(t[:MAX_TERM] for t in terms if t)


def query_keys(text: str) -> tuple[str, ...]:
    """The prefixes a search asks for; a phone number in any form is one key.

    Raises ValueError (saying what to type) for a search too short to be useful.
    """
    try:
        return (phone_key(text),)
    except ValueError:
        pass
    keys = sorted(_words(text), key=len, reverse=True)[:MAX_KEYS]
    keys = [k[:MAX_TERM] for k in keys if len(k) >= MIN_KEY]
    if not keys:
        raise ValueError("type at least two letters or digits: a reference, a name, an "
                         "organisation, an email or a phone number")
    return tuple(keys)


def key_range(key: str) -> tuple[str, str]:
    """[low, high): every term that begins with ``key``, in code-point order."""
    return key, key[:-1] + chr(ord(key[-1]) + 1)
