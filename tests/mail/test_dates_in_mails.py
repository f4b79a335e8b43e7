"""Every mail the service sends writes its dates one way, day month year ("4 October 2026"), and
every time with its time zone: no mail mixes "Sunday, October 4, 2026" with "4 October 2026", or
carries an ISO date in a default name."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime
from email.message import EmailMessage

import pytest

from service.certificate_files import mails as file_mails
from service.certificate_files.models import CertificateFileJob
from service.dates import MONTHS, written_moment
from service.recognitions import mails, rules
from service.recognitions.mails import Person
from service.recognitions.models import CeremonyFormat, RecognitionKind
from service.recognitions.notices import as_it_was
from service.users.models import User
from tests.support.mail_samples import (
    ABOUT_PARTNER,
    CONFIG,
    NOW,
    REQUESTER,
    SENT,
    TO_REQUESTER,
    sample_ceremony,
)

MONTH = "|".join(MONTHS)
WRITTEN_DAY = re.compile(rf"\b\d{{1,2}} (?:{MONTH}) \d{{4}}\b")
ANY_MONTH = re.compile(rf"\b(?:{MONTH})\b")
ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
NUMERIC_DAY = re.compile(r"\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b")
TIME = re.compile(r"(?<![+-])\b\d{2}:\d{2}\b")
ZONED_TIME = re.compile(r"\b\d{2}:\d{2} \(Pacific/Auckland, UTC\+13:00\)")


def _every_mail() -> dict[str, EmailMessage]:
    ceremony = sample_ceremony()
    ceremony.name = rules.default_name(RecognitionKind.CEREMONY, date(2026, 5, 1), date(2026, 8, 31))
    ceremony.cancellation_reason = "The hall is closed for repairs."
    job = CertificateFileJob(id=7, total=3, error_message="The file could not be stored.")
    user = User(id=3, name=REQUESTER.name, email=REQUESTER.email)
    a_day_earlier = as_it_was({"starts_at": datetime(2026, 10, 2, 21, 0, tzinfo=UTC)}, ceremony)
    formerly = "Pinning ceremony: cohorts ending 1 May 2026"
    aroha = Person(name="Aroha Ngata", email="aroha.ngata@riverside.example")
    return {
        "confirmation": mails.ceremony_confirmation(ceremony, **TO_REQUESTER),
        "confirmation by staff": mails.ceremony_confirmation(ceremony, **TO_REQUESTER, by_staff=True),
        "updated": mails.ceremony_updated(
            ceremony,
            **TO_REQUESTER,
            changed=["date and time"],
            was=a_day_earlier,
            redated=mails.Redated(count=2, old_day=date(2026, 10, 3), new_day=date(2026, 10, 4)),
        ),
        "cancelled": mails.ceremony_cancelled(ceremony, **TO_REQUESTER, provisional=2),
        "pins mailed, to the requester": mails.pins_mailed_to_requester(
            ceremony, **SENT, requester=REQUESTER
        ),
        "pins expected": mails.pins_expected(ceremony, **ABOUT_PARTNER, named_by=REQUESTER, ask=[REQUESTER]),
        "pins expected, updated": mails.pins_expected(
            ceremony, **ABOUT_PARTNER, named_by=None, ask=[], was=a_day_earlier
        ),
        "pins expected, renamed": mails.pins_expected(
            ceremony,
            **ABOUT_PARTNER,
            named_by=REQUESTER,
            ask=[REQUESTER],
            was=as_it_was({"name": formerly}, ceremony),
        ),
        "pins renamed": mails.pins_renamed(ceremony, **ABOUT_PARTNER, renamed_from=formerly),
        "contact replaced": mails.contact_replaced(
            ceremony, **ABOUT_PARTNER, former=aroha, ask=[REQUESTER], renamed_from=formerly
        ),
        "contact replaced, to the requester": mails.contact_replaced_to_requester(ceremony, **TO_REQUESTER),
        "pins updated, to the requester": mails.pins_updated_to_requester(
            ceremony, **TO_REQUESTER, was=as_it_was({"contact_phone": "+64 9 555 0101"}, ceremony)
        ),
        "updated, no longer the contact": mails.ceremony_updated(
            ceremony,
            **TO_REQUESTER,
            changed=["address", "mailing contact"],
            was=as_it_was({"address_line1": "14 Princes Street", "contact_email": REQUESTER.email}, ceremony),
            pins=True,
            no_longer_contact=True,
        ),
        "pins mailed": mails.pins_mailed(ceremony, **SENT),
        "pins not coming": mails.pins_not_coming(ceremony, **ABOUT_PARTNER),
        "file ready": file_mails.file_ready(job, recognition=ceremony, user=user, config=CONFIG, now=NOW),
        "file failed": file_mails.file_failed(job, recognition=ceremony, user=user, config=CONFIG, now=NOW),
    }


def _words(message: EmailMessage) -> str:
    """What a reader reads: the subject, the plain text, and the HTML part without its tags."""
    plain, rich = message.get_body(("plain",)), message.get_body(("html",))
    assert plain is not None and rich is not None
    shown = html.unescape(re.sub(r"<[^>]+>", " ", str(rich.get_content())))
    return "\n".join([str(message["Subject"]), str(plain.get_content()), shown])


@pytest.mark.parametrize("name", list(_every_mail()))
def test_every_date_in_a_mail_is_written_day_month_year_and_every_time_names_its_zone(name: str) -> None:
    words = _words(_every_mail()[name])

    assert (ISO_DAY.findall(words), NUMERIC_DAY.findall(words)) == ([], [])
    # every month named is inside a "4 October 2026": no "October 4, 2026" beside it
    assert len(ANY_MONTH.findall(words)) == len(WRITTEN_DAY.findall(words))
    assert len(TIME.findall(words)) == len(ZONED_TIME.findall(words))


def test_the_mails_of_a_moved_ceremony_write_both_days_alike() -> None:
    words = _words(_every_mail()["updated"])

    assert (
        "It is now scheduled for Sunday 4 October 2026 at 10:00 (Pacific/Auckland, UTC+13:00), in person."
        in (words)
    )
    assert (
        "now show its new date, 4 October 2026. Certificates printed or downloaded before this change "
        in words
    )
    assert "still show 3 October 2026" in words
    assert "cohorts ending 1 May 2026 to 31 August 2026" in words


@pytest.mark.parametrize(
    ("moment", "zone", "written"),
    [
        (datetime(2026, 10, 3, 21, 0, tzinfo=UTC), "Pacific/Auckland", "Sunday 4 October 2026 at 10:00 "),
        (datetime(2027, 1, 20, 20, 30, tzinfo=UTC), "America/Chicago", "Wednesday 20 January 2027 at 14:30 "),
        (datetime(2026, 7, 1, 12, 0, tzinfo=UTC), "America/St_Johns", "Wednesday 1 July 2026 at 09:30 "),
        (datetime(2026, 7, 1, 12, 0, tzinfo=UTC), "Asia/Kathmandu", "Wednesday 1 July 2026 at 17:45 "),
        (datetime(2026, 7, 1, 12, 0, tzinfo=UTC), "UTC", "Wednesday 1 July 2026 at 12:00 "),
    ],
)
def test_a_moment_is_written_with_its_zone_by_name_and_offset(
    moment: datetime, zone: str, written: str
) -> None:
    offsets = {
        "Pacific/Auckland": "UTC+13:00",
        "America/Chicago": "UTC-06:00",
        "America/St_Johns": "UTC-02:30",
        "Asia/Kathmandu": "UTC+05:45",
        "UTC": "UTC+00:00",
    }

    assert written_moment(moment, zone) == f"{written}({zone}, {offsets[zone]})"


def test_an_online_ceremonys_mails_follow_the_same_format() -> None:
    ceremony = sample_ceremony()
    ceremony.format = CeremonyFormat.ONLINE
    ceremony.meeting_url = "https://meet.example.org/pinning"

    message = mails.ceremony_confirmation(
        ceremony, key="t", requester=REQUESTER, partner_name="Riverside", config=CONFIG, now=NOW
    )

    assert "scheduled for Sunday 4 October 2026 at 10:00 (Pacific/Auckland, UTC+13:00), online." in _words(
        message
    )
