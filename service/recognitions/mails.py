"""What we mail about recognitions. Pure: a recognition's values in, an RFC 5322 message out."""

from __future__ import annotations

from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress, vText

from service.mail.compose import Attachment, MailConfig, compose
from service.recognitions.models import CeremonyFormat, Recognition
from service.text import one_line

CEREMONY_LENGTH = timedelta(hours=2)
FORMAT_WORDS = {CeremonyFormat.ONLINE: "online", CeremonyFormat.IN_PERSON: "in person"}


def confirmation_key(recognition: Recognition) -> str:
    return f"ceremony-confirmation:{recognition.id}"


def pins_mailed_key(recognition: Recognition) -> str:
    return f"ceremony-pins-mailed:{recognition.id}"


def _local_start(recognition: Recognition) -> datetime:
    assert recognition.starts_at is not None and recognition.time_zone is not None
    return recognition.starts_at.astimezone(ZoneInfo(recognition.time_zone))


def _when(recognition: Recognition) -> str:
    start = _local_start(recognition)
    return f"{start:%A, %B} {start.day}, {start:%Y at %H:%M} ({recognition.time_zone})"


def _link(config: MailConfig, recognition: Recognition) -> str:
    return f"{config.public_url.rstrip('/')}/recognitions/{recognition.id}"


def ceremony_confirmation(
    recognition: Recognition, *, partner_name: str, config: MailConfig, now: datetime
) -> EmailMessage:
    """Sent to the mailing contact when a ceremony is scheduled, with a calendar invitation."""
    representative = (
        "An ACUE representative has been requested to attend."
        if recognition.representative_requested
        else "No ACUE representative was requested."
    )
    assert recognition.format is not None
    paragraphs = [
        f"Dear {recognition.contact_name},",
        f"The pinning ceremony \u201c{recognition.name}\u201d of {partner_name} is scheduled for "
        f"{_when(recognition)}, {FORMAT_WORDS[recognition.format]}. {representative}",
        "What comes next: we will mail the pins to "
        + ", ".join(part for part in _address_lines(recognition) if part)
        + ", and you will hear from us when they are on their way. You can now generate "
        "certificates for the course-takers of this ceremony on its Certificates page.",
        f"See the ceremony in the Partnership Portal: {_link(config, recognition)}",
        "The calendar invitation attached adds the ceremony to your calendar.",
    ]
    invitation = Attachment(
        filename="ceremony.ics",
        content_type="text/calendar; method=REQUEST",
        data=_calendar(recognition, partner_name=partner_name, config=config, now=now),
    )
    return compose(
        config=config,
        key=confirmation_key(recognition),
        recipient=_recipient(recognition),
        subject=f"Pinning ceremony scheduled: {recognition.name}",
        paragraphs=paragraphs,
        sent_at=now,
        attachments=(invitation,),
    )


def pins_mailed(recognition: Recognition, *, config: MailConfig, now: datetime) -> EmailMessage:
    """Sent to the mailing contact when staff mark the pins as mailed."""
    return compose(
        config=config,
        key=pins_mailed_key(recognition),
        recipient=_recipient(recognition),
        subject=f"Pins mailed for your ceremony: {recognition.name}",
        paragraphs=[
            f"Dear {recognition.contact_name},",
            f"The pins for the pinning ceremony \u201c{recognition.name}\u201d on {_when(recognition)} "
            "have been mailed to " + ", ".join(part for part in _address_lines(recognition) if part) + ".",
            f"See the ceremony in the Partnership Portal: {_link(config, recognition)}",
        ],
        sent_at=now,
    )


def _recipient(recognition: Recognition) -> str:
    return str(
        Address(
            display_name=one_line(recognition.contact_name or ""), addr_spec=recognition.contact_email or ""
        )
    )


def _address_lines(recognition: Recognition) -> list[str | None]:
    return [
        recognition.address_line1,
        recognition.address_line2,
        recognition.address_city,
        recognition.address_region,
        recognition.address_postal_code,
        recognition.address_country,
    ]


def _calendar(recognition: Recognition, *, partner_name: str, config: MailConfig, now: datetime) -> bytes:
    start = _local_start(recognition)
    calendar = Calendar()
    calendar.add("prodid", "-//Recognition service//Pinning ceremonies//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    event = Event()
    event.add("uid", f"ceremony-{recognition.id}@recognition.invalid")
    event.add("dtstamp", now)
    event.add("dtstart", start)
    event.add("dtend", start + CEREMONY_LENGTH)
    event.add("summary", f"Pinning ceremony: {recognition.name}")
    event.add("description", f"Pinning ceremony of {partner_name}. {_link(config, recognition)}")
    event.add("location", "Online" if recognition.format is CeremonyFormat.ONLINE else partner_name)
    attendee = vCalAddress(f"mailto:{recognition.contact_email}")
    attendee.params["cn"] = vText(recognition.contact_name or "")
    event.add("attendee", attendee, encode=False)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())
