"""Who the certificates step lists, which recognition a certificate belongs to, and the verification
code: pure rules, no database."""

from __future__ import annotations

import re
import secrets
import unicodedata
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from service.errors import DomainError, ErrorCode, Problem


class CandidateKind(StrEnum):
    COMPLETER = "COMPLETER"
    APPROACHING = "APPROACHING"


def eligibility(*, course_closed: bool, completed: bool, certified: bool) -> CandidateKind | None:
    """The guide's certificates page.

    Completers: completed and certified. Approaching certification: the course is still open
    and they have not completed it. Nobody else is listed: not completing a course that is
    closed for submissions, or completing it without achieving certification.
    """
    if completed:
        return CandidateKind.COMPLETER if certified else None
    return None if course_closed else CandidateKind.APPROACHING


class Listing(StrEnum):
    """Whether an enrolment is on a recognition's certificates page, and if not, why."""

    LISTED = "LISTED"
    NOT_IN_SELECTED_COHORTS = "NOT_IN_SELECTED_COHORTS"
    DID_NOT_COMPLETE_CLOSED_COURSE = "DID_NOT_COMPLETE_CLOSED_COURSE"
    COMPLETED_WITHOUT_CERTIFICATION = "COMPLETED_WITHOUT_CERTIFICATION"


LISTING_WORDS = {
    Listing.LISTED: "listed on the certificates page",
    Listing.NOT_IN_SELECTED_COHORTS: "not in the cohorts this recognition selected",
    Listing.DID_NOT_COMPLETE_CLOSED_COURSE: "did not complete a course that is closed for submissions",
    Listing.COMPLETED_WITHOUT_CERTIFICATION: "completed the course without achieving certification",
}


def listing(*, in_selected_cohorts: bool, course_closed: bool, completed: bool, certified: bool) -> Listing:
    """Why an enrolment is, or is not, on a recognition's certificates page (see ``eligibility``)."""
    if not in_selected_cohorts:
        return Listing.NOT_IN_SELECTED_COHORTS
    if eligibility(course_closed=course_closed, completed=completed, certified=certified) is not None:
        return Listing.LISTED
    return Listing.COMPLETED_WITHOUT_CERTIFICATION if completed else Listing.DID_NOT_COMPLETE_CLOSED_COURSE


def completion_date(completed_at: datetime, time_zone: str) -> date:
    """The one completion date of an enrolment, shown the same on the list, the certificate, the CSV
    and verification: the calendar day, in the partner's time zone, of the instant the LMS reported
    the course completed."""
    return completed_at.astimezone(ZoneInfo(time_zone)).date()


def taken_over(*, provisional: bool, from_cancelled: bool, from_request: bool, by_ceremony: bool) -> bool:
    """Whether a recognition handing out a certificate issued through another one takes it over: it
    moves there (its counts and files), and a provisional one prints that recognition's day.

    A cancelled ceremony's certificates are no one's any more. A provisional certificate of a
    certificate request has no day of its own (the request has no date; it printed the day of
    issue): an early certificate prints the day of the ceremony it is for, so a ceremony takes it
    over, and it follows that ceremony when it moves. A live ceremony keeps its own (it prints that
    ceremony's day; the other ceremony's page says whose it is), and a valid certificate prints its
    completion date wherever it is printed, so a request keeps its valid ones.
    """
    if from_cancelled:
        return True
    return provisional and from_request and by_ceremony


# Verification codes use 32 symbols that cannot be confused when read aloud or typed:
# no 0/O, no 1/I.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_BODY_LENGTH = 10  # 50 random bits
CODE_GROUPS = (4, 4, 3)
CODE_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2212"  # hyphens, dashes and minus, as typed between groups


def new_code() -> str:
    """A fresh code: ten random symbols and a check symbol, grouped as XXXX-XXXX-XXX.

    The check symbol misses one slip: swapping neighbours "2" and "Z" (values 0 and 31). Codes
    never put those two side by side, so every swap of neighbours in a real code is caught.
    """
    while True:
        body = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_BODY_LENGTH))
        full = body + _check_symbol(body)
        if "2Z" not in full and "Z2" not in full:
            return _grouped(full)


def normalize_code(text: str) -> str:
    """The code as stored, from what someone typed; a DomainError says what is wrong with it.

    Spaces, dashes and case do not matter, nor the width a keyboard typed in (full-width Ｋ is K)
    or invisible marks pasted along (a direction mark, a zero-width space); the check symbol catches
    a mistyped symbol and two neighbours swapped.
    """
    folded = unicodedata.normalize("NFKC", text)
    visible = "".join(c for c in folded if unicodedata.category(c) != "Cf" and c not in CODE_DASHES)
    compact = "".join(visible.split()).upper()
    field = ("code",)
    if len(compact) != CODE_BODY_LENGTH + 1:
        raise DomainError(
            Problem(ErrorCode.INVALID_CODE, f"A code has {CODE_BODY_LENGTH + 1} symbols.", field)
        )
    wrong = sorted({symbol for symbol in compact if symbol not in CODE_ALPHABET})
    if wrong:
        raise DomainError(
            Problem(
                ErrorCode.INVALID_CODE,
                f"A code never contains {', '.join(wrong)} (no 0, O, 1 or I): check the symbols.",
                field,
            )
        )
    if _check_symbol(compact[:-1]) != compact[-1]:
        raise DomainError(
            Problem(ErrorCode.MISTYPED_CODE, "This code is mistyped: check each symbol.", field)
        )
    return _grouped(compact)


def _grouped(compact: str) -> str:
    parts, start = [], 0
    for size in CODE_GROUPS:
        parts.append(compact[start : start + size])
        start += size
    return "-".join(parts)


def _check_symbol(body: str) -> str:
    """Luhn mod 32: detects every single-symbol error and every swap of adjacent symbols."""
    base = len(CODE_ALPHABET)
    total = 0
    for position, symbol in enumerate(reversed(body)):
        value = CODE_ALPHABET.index(symbol)
        if position % 2 == 0:
            value *= 2
            value = value // base + value % base
        total += value
    return CODE_ALPHABET[(base - total % base) % base]


# Languages whose names may be written in Han characters alone, each with its own regional forms.
HAN_LANGUAGES = {"ja", "ko", "zh"}
LOCALE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*")


def is_locale(value: str) -> bool:
    """A BCP 47 language tag as far as printing needs: a language and any script or region."""
    return LOCALE.fullmatch(value) is not None


def name_language(name: str, *, course_taker_locale: str | None, partner_locale: str | None) -> str:
    """The language a name is printed in (BCP 47; "" when unknown).

    Han characters take Japanese, Korean, Traditional or Simplified Chinese forms by language. A
    name with kana or Hangul says it itself (Japanese, Korean): "" lets the drawing see it. A name
    with Han characters and neither takes the course-taker's locale when it is Chinese, Japanese
    or Korean, else the partner's default locale when that is, else Simplified Chinese forms (the
    drawing's default). Any other name takes the course-taker's locale (its script's language
    forms), or none.
    """
    words = {word for character in name if ord(character) >= 0x1100 for word in _words(character)}
    if words & {"HIRAGANA", "KATAKANA", "HANGUL"}:
        return ""
    if "IDEOGRAPH" in words:
        for locale in (course_taker_locale, partner_locale):
            if locale and locale.split("-")[0].lower() in HAN_LANGUAGES:
                return locale
        return ""
    return course_taker_locale or ""


def _words(character: str) -> list[str]:
    return unicodedata.name(character, "").replace("-", " ").split()
