"""A ceremony and what its mails are written with, for tests that read mails without a database or an
app: the service's pure mail functions called as ``service.recognitions.notices`` calls them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TypedDict

from service.mail.compose import MailConfig
from service.recognitions.mails import Person
from service.recognitions.models import CeremonyFormat, Recognition, RecognitionKind

NOW = datetime(2026, 9, 19, 22, 0, tzinfo=UTC)
CONFIG = MailConfig(sender="Recognition <recognition@example.org>", public_url="https://portal.example.org")
REQUESTER = Person(name="Dana Whitfield", email="dana@riverside.example")
PARTNER = "Riverside"


def sample_ceremony() -> Recognition:
    """Riverside's in-person ceremony in Auckland, Sunday 4 October 2026 at 10:00, never saved."""
    return Recognition(
        id=42,
        kind=RecognitionKind.CEREMONY,
        calendar_sequence=0,
        name="Spring pinning ceremony",
        starts_at=datetime(2026, 10, 3, 21, 0, tzinfo=UTC),
        time_zone="Pacific/Auckland",
        format=CeremonyFormat.IN_PERSON,
        representative_requested=True,
        contact_name="Aroha Ngata",
        contact_email="aroha.ngata@riverside.example",
        contact_phone="+64 9 123 4567",
        address_line1="12 Princes Street",
        address_line2=None,
        address_city="Auckland",
        address_region=None,
        address_postal_code="1010",
        address_country="NZ",
    )


class Sent(TypedDict):
    """What every mail is written with: its outbox key, the settings, the time it is sent."""

    key: str
    config: MailConfig
    now: datetime


class AboutPartner(Sent):
    partner_name: str


class ToRequester(AboutPartner):
    requester: Person


SENT: Sent = {"key": "t", "config": CONFIG, "now": NOW}
ABOUT_PARTNER: AboutPartner = {**SENT, "partner_name": PARTNER}
TO_REQUESTER: ToRequester = {**ABOUT_PARTNER, "requester": REQUESTER}
