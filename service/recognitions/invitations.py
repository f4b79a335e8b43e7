"""The calendar invitation of a ceremony (iTIP, RFC 5545 and 5546): one event per ceremony, its UID
kept and its SEQUENCE counting the changes mailed; and the wording its mails share with it."""

from __future__ import annotations

from datetime import datetime, timedelta
from email.utils import parseaddr
from enum import StrEnum
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress, vText

from service.mail.compose import Attachment, MailConfig
from service.recognitions.models import CeremonyFormat, Recognition, RecognitionKind

CEREMONY_LENGTH = timedelta(hours=2)
ZONE_RULES_AROUND = timedelta(days=366)
TYPE_NAMES = {RecognitionKind.CEREMONY: "Ceremony", RecognitionKind.CERTIFICATE_REQUEST: "CertificateRequest"}


class Method(StrEnum):
    """The iTIP method of a calendar invitation (RFC 5546)."""

    REQUEST = "REQUEST"
    CANCEL = "CANCEL"


def invitation(
    recognition: Recognition,
    method: Method,
    *,
    attendee_name: str,
    attendee_email: str,
    partner_name: str,
    config: MailConfig,
    now: datetime,
) -> Attachment:
    """An iTIP invitation (RFC 5545/5546): one UID per ceremony, SEQUENCE counting its changes."""
    start = local_start(recognition)
    calendar = Calendar()
    calendar.add("prodid", "-//Recognition service//Pinning ceremonies//EN")
    calendar.add("version", "2.0")
    calendar.add("method", method.value)
    event = Event()
    event.add("uid", f"ceremony-{recognition.id}@recognition.invalid")
    event.add("sequence", recognition.calendar_sequence)
    event.add("dtstamp", now)
    event.add("dtstart", start)
    event.add("dtend", start + CEREMONY_LENGTH)
    event.add("status", "CANCELLED" if method is Method.CANCEL else "CONFIRMED")
    event.add("summary", ceremony_title(recognition))
    event.add("description", f"Pinning ceremony of {partner_name}. {recognition_link(config, recognition)}")
    event.add("location", location(recognition))
    if recognition.format is CeremonyFormat.ONLINE and recognition.meeting_url:
        event.add("url", recognition.meeting_url)
    sender_name, sender_address = parseaddr(config.sender)
    organizer = vCalAddress(f"mailto:{sender_address}")
    organizer.params["cn"] = vText(sender_name or config.certifier)
    event.add("organizer", organizer, encode=False)
    guest = vCalAddress(f"mailto:{attendee_email}")
    guest.params["cn"] = vText(attendee_name)
    guest.params["role"] = vText("REQ-PARTICIPANT")
    event.add("attendee", guest, encode=False)
    calendar.add_component(event)
    # The zone's rules around the ceremony alone: right in any year (icalendar's default range ends
    # in 2038, so a later ceremony was an hour off in calendars that read the definition), and short.
    calendar.add_missing_timezones(
        first_date=start.date() - ZONE_RULES_AROUND, last_date=start.date() + ZONE_RULES_AROUND
    )
    return Attachment(
        filename="ceremony.ics",
        content_type=f"text/calendar; charset=utf-8; method={method.value}",
        data=bytes(calendar.to_ical()),
    )


CEREMONY_WORDS = "Pinning ceremony"


def ceremony_title(recognition: Recognition, what: str = CEREMONY_WORDS) -> str:
    """``what`` and the ceremony's name, e.g. "Pinning ceremony scheduled: Spring pinning"; a name
    that already starts with "Pinning ceremony" (every default name does) does not say it twice:
    "Pinning ceremony scheduled: cohorts ending 4 January 2027 to 15 January 2027"."""
    name = recognition.name
    if name[: len(CEREMONY_WORDS)].casefold() == CEREMONY_WORDS.casefold():
        rest = name[len(CEREMONY_WORDS) :].lstrip(" :-\u2013\u2014")
        return f"{what}: {rest}" if rest else what
    return f"{what}: {name}"


def local_start(recognition: Recognition) -> datetime:
    assert recognition.starts_at is not None and recognition.time_zone is not None
    return recognition.starts_at.astimezone(ZoneInfo(recognition.time_zone))


def recognition_link(config: MailConfig, recognition: Recognition) -> str:
    return config.links.recognition(TYPE_NAMES[recognition.kind], recognition.id)


def postal_address(recognition: Recognition) -> str:
    return ", ".join(
        part
        for part in (
            recognition.address_line1,
            recognition.address_line2,
            recognition.address_city,
            recognition.address_region,
            recognition.address_postal_code,
            recognition.address_country,
        )
        if part
    )


def location(recognition: Recognition) -> str:
    if recognition.format is CeremonyFormat.IN_PERSON:
        return postal_address(recognition)
    return recognition.meeting_url or "Online"
