"""Who is told what about a ceremony, in the transaction of the change that causes it.

- The *requester* is who submitted it (when staff submitted it for a partner, who created the
  draft): the confirmation, each updated invitation, the cancellation and "pins mailed". When staff
  both created and submitted it, the partner's admins are the requesters (each gets their own
  mail): the guide promises a confirmation at the partner, and partners know staff only as
  "<certifier> staff", so a mail to them never names a staff user.
- The *mailing contact* learns what they need to expect the pins, and is told again when the
  details they rely on change, when the ceremony is renamed (so that "Pins mailed for your
  ceremony: <name>" names one they know), when the pins are mailed, or when the ceremony is
  cancelled. A contact replaced by another (while the pins are pending) is told they no longer are
  one: they had been told they would hear from us when the pins are on their way.
- When both are the same address, one mail says it all: the requester's, saying too what the
  contact's would have (where the pins go, that they were mailed, that they will not come), with
  the portal link their account opens.

Each mail has its own outbox key (one per reason), so a repeated delivery or a retried change
never mails twice.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage

from tortoise.backends.base.client import BaseDBAsyncClient

from service.certificates.models import Certificate, CertificateStatus
from service.mail.compose import MailConfig
from service.mail.outbox import Outbox
from service.partners.models import Partner
from service.recognitions import mails
from service.recognitions.mails import Person
from service.recognitions.models import (
    CeremonyFormat,
    Recognition,
    RecognitionEvent,
    StoredStatus,
    local_date,
)
from service.recognitions.rules import camel_case
from service.users.models import Role, User

# What changing each column the invitation shows means ("the date and time", …): the name is its
# SUMMARY, the start its DTSTART, the link or the address its LOCATION. An in-person ceremony's
# invitation shows no link; an online one's address is where its pins go (its "mailing address"),
# which the requester hears of all the same.
INVITATION_CHANGES = {
    "name": "name",
    "starts_at": "date and time",
    "time_zone": "time zone",  # the same instant in another zone (a new start is "date and time")
    "format": "format",
    "meeting_url": "meeting link",
    "address_line1": "address",
    "address_line2": "address",
    "address_city": "address",
    "address_region": "address",
    "address_postal_code": "address",
    "address_country": "address",
}
# Where the pins go and to whom.
PINS_COLUMNS = {
    "contact_name",
    "contact_email",
    "contact_phone",
    *(column for column in INVITATION_CHANGES if column.startswith("address_")),
}
# What the mailing contact's mail says: where and for which day, and who they are.
CONTACT_COLUMNS = {"starts_at", "time_zone", *PINS_COLUMNS}
# Who the mailing contact is.
CONTACT_PERSON_COLUMNS = {"contact_name", "contact_email", "contact_phone"}


@dataclass(frozen=True, slots=True)
class Requesters:
    """Who hears of a ceremony at the partner, and whether staff arranged it for them."""

    people: list[Person]
    # False only when staff arranged it for a partner without admins: the staff user holds it.
    at_partner: bool = True
    # Staff submitted it (also a partner's draft: the confirmation says staff scheduled it).
    submitted_by_staff: bool = False
    # Who at the partner named the mailing contact; None when staff did (or nobody did).
    contact_named_by: Person | None = None

    def include(self, person: Person) -> bool:
        return any(requester.same_as(person) for requester in self.people)

    def key(self, base: str, person: Person) -> str:
        """One outbox key per reason and reader: the reason's own when there is one reader."""
        return base if len(self.people) == 1 else f"{base}:to:{person.user_id}"


async def requesters_of(recognition: Recognition, connection: BaseDBAsyncClient) -> Requesters:
    """Who submitted the ceremony; for a ceremony staff submitted, the partner's user who created it;
    for one staff created and submitted, the partner's admins (or, when it has none, that staff
    user, so that someone holds the calendar invitation). With who named the mailing contact."""
    submitter_id = recognition.submitted_by_id or recognition.created_by_id
    submitter = await User.get(id=submitter_id, using_db=connection)
    named_by = await _contact_named_by(recognition, connection, otherwise=submitter)
    if submitter.role is not Role.STAFF:
        return Requesters(people=[_person(submitter)], contact_named_by=named_by)
    if submitter_id != recognition.created_by_id:
        creator = await User.get(id=recognition.created_by_id, using_db=connection)
        if creator.role is not Role.STAFF:
            return Requesters(people=[_person(creator)], submitted_by_staff=True, contact_named_by=named_by)
    admins = (
        await User.filter(partner_id=recognition.partner_id, role=Role.PARTNER_ADMIN)
        .using_db(connection)
        .order_by("id")
    )
    people = [_person(admin) for admin in admins] or [_person(submitter)]
    return Requesters(
        people=people,
        at_partner=bool(admins),
        submitted_by_staff=True,
        contact_named_by=named_by,
    )


_CONTACT_CHANGES = {camel_case(column) for column in CONTACT_PERSON_COLUMNS}


async def _contact_named_by(
    recognition: Recognition, connection: BaseDBAsyncClient, *, otherwise: User
) -> Person | None:
    """Who last set the mailing contact, as the ceremony's history records it (the change is recorded
    before anyone is told of it), ``otherwise`` when it records none; None when staff did: partners
    know staff only as staff."""
    events = (
        await RecognitionEvent.filter(recognition_id=recognition.id)
        .using_db(connection)
        .order_by("-at", "-id")
        .select_related("actor")
    )
    for event in events:
        if _CONTACT_CHANGES & event.changes.keys():
            return _named(event.actor)
    return _named(otherwise)


def _named(user: User) -> Person | None:
    return None if user.role is Role.STAFF else _person(user)


def _person(user: User) -> Person:
    return Person(name=user.name, email=user.email, user_id=user.id)


async def _partner_name(recognition: Recognition, connection: BaseDBAsyncClient) -> str:
    return (await Partner.get(id=recognition.partner_id, using_db=connection)).name


async def confirm_scheduled(
    recognition: Recognition, mail: Outbox, *, config: MailConfig, now: datetime
) -> None:
    """Submitted: the confirmation to each requester; the mailing contact, if another, what to expect."""
    connection = mail.connection
    requesters = await requesters_of(recognition, connection)
    partner_name = await _partner_name(recognition, connection)
    for requester in requesters.people:
        key = requesters.key(f"ceremony-confirmation:{recognition.id}", requester)
        await mail.add(
            key=key,
            message=mails.ceremony_confirmation(
                recognition,
                key=key,
                requester=requester,
                partner_name=partner_name,
                by_staff=requesters.submitted_by_staff,
                config=config,
                now=now,
            ),
            now=now,
        )
    if not requesters.include(mails.contact_of(recognition)):
        key = f"ceremony-pins-contact:{recognition.id}"
        await mail.add(
            key=key, message=_pins_expected(recognition, requesters, key, partner_name, config, now), now=now
        )


def _pins_expected(
    recognition: Recognition,
    requesters: Requesters,
    key: str,
    partner_name: str,
    config: MailConfig,
    now: datetime,
    *,
    was: Recognition | None = None,
) -> EmailMessage:
    """The mailing contact's mail: who named them (staff only as staff), and whom to ask; ``was``,
    for an update, the ceremony as they knew it."""
    return mails.pins_expected(
        recognition,
        key=key,
        named_by=requesters.contact_named_by,
        ask=requesters.people if requesters.at_partner else [],
        partner_name=partner_name,
        config=config,
        now=now,
        was=was,
    )


def invitation_changes(before: dict[str, object], recognition: Recognition) -> list[str]:
    """What changed that the calendar invitation shows, in words, each once."""
    online = recognition.format is CeremonyFormat.ONLINE
    changed = [
        "mailing address" if online and words == "address" else words
        for column, words in INVITATION_CHANGES.items()
        if column in before
        and before[column] != getattr(recognition, column)
        and (column != "meeting_url" or online)
    ]
    if "date and time" in changed and "time zone" in changed:
        changed.remove("time zone")  # the new start is written with its zone
    return list(dict.fromkeys(changed))


def as_it_was(before: dict[str, object], recognition: Recognition) -> Recognition:
    """The ceremony as it stood before a change (``before``: the old values of the columns it set),
    for the mails to say what each change replaced. Never saved."""
    was = copy.copy(recognition)
    for column, value in before.items():
        setattr(was, column, value)
    return was


def contact_concerned(before: dict[str, object], recognition: Recognition) -> bool:
    """Whether a change touches what the mailing contact was told (pins not mailed yet)."""
    return recognition.status is StoredStatus.SCHEDULED_PENDING and _changed(
        before, recognition, CONTACT_COLUMNS
    )


def _changed(before: dict[str, object], recognition: Recognition, columns: set[str]) -> bool:
    return any(column in before and before[column] != getattr(recognition, column) for column in columns)


async def tell_changed(
    recognition: Recognition,
    mail: Outbox,
    *,
    before: dict[str, object],
    reason: int,
    config: MailConfig,
    now: datetime,
    redated: int = 0,
) -> None:
    """A scheduled ceremony changed (``reason``: its event's id, which names these mails): an updated
    invitation to each requester when its name, date, time, format, link or address changed (saying so when
    ``redated`` provisional certificates now print another day), and the mailing contact's details
    again when what they were told changed, or its new name when only that did. A requester who is
    the mailing contact hears both in one mail; the others hear where the pins go when that changed.
    While the pins are pending, a mailing contact replaced by another address is told they no longer
    are one (a requester, in their own mail)."""
    changed = invitation_changes(before, recognition)
    tell_contact = contact_concerned(before, recognition)
    if not changed and not tell_contact:
        return
    connection = mail.connection
    requesters = await requesters_of(recognition, connection)
    partner_name = await _partner_name(recognition, connection)
    contact = mails.contact_of(recognition)
    former = _former_contact(before, recognition)
    pins_moved = tell_contact and _changed(before, recognition, PINS_COLUMNS)
    # The requester's mail lists the mailing contact among what changed; the invitation does not show it.
    told = (
        [*changed, mails.MAILING_CONTACT]
        if tell_contact and _changed(before, recognition, CONTACT_PERSON_COLUMNS)
        else changed
    )
    was = as_it_was(before, recognition)
    if changed:
        recognition.calendar_sequence += 1
        await recognition.save(using_db=connection, update_fields=["calendar_sequence"])
        for requester in requesters.people:
            key = requesters.key(f"ceremony-updated:{recognition.id}:{reason}", requester)
            await mail.add(
                key=key,
                message=mails.ceremony_updated(
                    recognition,
                    key=key,
                    requester=requester,
                    partner_name=partner_name,
                    changed=told,
                    was=was,
                    redated=_redated(before, recognition, redated),
                    pins=pins_moved or (tell_contact and requester.same_as(contact)),
                    no_longer_contact=former is not None and requester.same_as(former),
                    config=config,
                    now=now,
                ),
                now=now,
            )
    if tell_contact or _renamed_from(before, recognition) is not None:
        key = f"ceremony-pins-contact:{recognition.id}:{reason}"
        message = _contact_update(recognition, requesters, before, key, partner_name, config, now, changed)
        if message is not None:
            await mail.add(key=key, message=message, now=now)
    if former is not None:
        key = f"ceremony-former-contact:{recognition.id}:{reason}"
        message = _former_contact_told(
            recognition, requesters, before, former, key, partner_name, config, now, changed
        )
        if message is not None:
            await mail.add(key=key, message=message, now=now)


def _contact_update(
    recognition: Recognition,
    requesters: Requesters,
    before: dict[str, object],
    key: str,
    partner_name: str,
    config: MailConfig,
    now: datetime,
    changed: list[str],
) -> EmailMessage | None:
    """The mailing contact's mail after a change of what they were told: their own (the first one,
    for someone named the contact only now, who was told nothing before); after a rename alone, a
    short one with both names; for a requester, the updated invitation says it, or, when there is
    none, a mail of its own. None while the pins are not pending: the contact has nothing to expect."""
    if recognition.status is not StoredStatus.SCHEDULED_PENDING:
        return None
    contact = mails.contact_of(recognition)
    renamed_from = _renamed_from(before, recognition)
    if not requesters.include(contact):
        if not _changed(before, recognition, CONTACT_COLUMNS):
            assert renamed_from is not None
            return mails.pins_renamed(
                recognition,
                key=key,
                renamed_from=renamed_from,
                partner_name=partner_name,
                config=config,
                now=now,
            )
        # Someone named the contact only now was told nothing before: theirs is a first mail.
        was = None if _new_contact(before, contact) else as_it_was(before, recognition)
        return _pins_expected(recognition, requesters, key, partner_name, config, now, was=was)
    if changed:
        return None
    requester = next(requester for requester in requesters.people if requester.same_as(contact))
    return mails.pins_updated_to_requester(
        recognition,
        key=key,
        requester=requester,
        partner_name=partner_name,
        was=as_it_was(before, recognition),
        config=config,
        now=now,
    )


def _former_contact(before: dict[str, object], recognition: Recognition) -> Person | None:
    """The mailing contact this change replaced by another address, while the pins are pending."""
    if recognition.status is not StoredStatus.SCHEDULED_PENDING:
        return None
    old_email, old_name = before.get("contact_email"), before.get("contact_name")
    if not isinstance(old_email, str) or not _new_contact(before, mails.contact_of(recognition)):
        return None
    return Person(name=old_name if isinstance(old_name, str) else "", email=old_email)


def _former_contact_told(
    recognition: Recognition,
    requesters: Requesters,
    before: dict[str, object],
    former: Person,
    key: str,
    partner_name: str,
    config: MailConfig,
    now: datetime,
    changed: list[str],
) -> EmailMessage | None:
    """The replaced contact's mail: that they no longer are one, and whom to ask. A requester hears it
    in their updated invitation when there is one (``changed``), else in a mail with the portal link."""
    requester = next((person for person in requesters.people if person.same_as(former)), None)
    if requester is None:
        return mails.contact_replaced(
            recognition,
            key=key,
            former=former,
            ask=requesters.people if requesters.at_partner else [],
            partner_name=partner_name,
            renamed_from=_renamed_from(before, recognition),
            config=config,
            now=now,
        )
    if changed:
        return None
    return mails.contact_replaced_to_requester(
        recognition, key=key, requester=requester, partner_name=partner_name, config=config, now=now
    )


def _new_contact(before: dict[str, object], contact: mails.Person) -> bool:
    """Whether the mailing contact is another person (address) than before this change."""
    old = before.get("contact_email")
    return isinstance(old, str) and not contact.same_as(mails.Person(name="", email=old))


def _renamed_from(before: dict[str, object], recognition: Recognition) -> str | None:
    """The name the requester's calendar knows the ceremony by, when it is no longer its name."""
    old = before.get("name")
    return old if isinstance(old, str) and old != recognition.name else None


def _redated(before: dict[str, object], recognition: Recognition, count: int) -> mails.Redated | None:
    """What the requester should know of provisional certificates printed before the day moved."""
    old_start, old_zone = before.get("starts_at"), before.get("time_zone")
    old_day = None
    if isinstance(old_start, datetime) and isinstance(old_zone, str):
        old_day = local_date(old_start, old_zone)
    new_day = local_date(recognition.starts_at, recognition.time_zone)
    if not count or old_day is None or new_day is None:
        return None
    return mails.Redated(count=count, old_day=old_day, new_day=new_day)


async def tell_cancelled(
    recognition: Recognition, mail: Outbox, *, pins_were_pending: bool, config: MailConfig, now: datetime
) -> None:
    """Cancelled: a cancelled invitation to each requester; the mailing contact, if the pins were
    still to come, that they will not (in the requester's mail, when the contact is a requester)."""
    connection = mail.connection
    requesters = await requesters_of(recognition, connection)
    partner_name = await _partner_name(recognition, connection)
    recognition.calendar_sequence += 1
    await recognition.save(using_db=connection, update_fields=["calendar_sequence"])
    provisional = await (
        Certificate.filter(recognition_id=recognition.id, status=CertificateStatus.PROVISIONAL)
        .using_db(connection)
        .count()
    )
    contact = mails.contact_of(recognition)
    for requester in requesters.people:
        key = requesters.key(f"ceremony-cancelled:{recognition.id}", requester)
        await mail.add(
            key=key,
            message=mails.ceremony_cancelled(
                recognition,
                key=key,
                requester=requester,
                partner_name=partner_name,
                provisional=provisional,
                pins_not_coming=pins_were_pending and requester.same_as(contact),
                config=config,
                now=now,
            ),
            now=now,
        )
    if pins_were_pending and not requesters.include(contact):
        key = f"ceremony-cancelled:{recognition.id}:contact"
        await mail.add(
            key=key,
            message=mails.pins_not_coming(
                recognition, key=key, partner_name=partner_name, config=config, now=now
            ),
            now=now,
        )


async def tell_pins_mailed(
    recognition: Recognition, mail: Outbox, *, config: MailConfig, now: datetime
) -> None:
    """Staff marked the pins mailed: the mailing contact and the requesters all hear of it (a requester
    who is the contact, once, in the requester's mail)."""
    requesters = await requesters_of(recognition, mail.connection)
    if not requesters.include(mails.contact_of(recognition)):
        key = f"ceremony-pins-mailed:{recognition.id}"
        await mail.add(
            key=key, message=mails.pins_mailed(recognition, key=key, config=config, now=now), now=now
        )
    for requester in requesters.people:
        key = requesters.key(f"ceremony-pins-mailed:{recognition.id}:requester", requester)
        await mail.add(
            key=key,
            message=mails.pins_mailed_to_requester(
                recognition, key=key, requester=requester, config=config, now=now
            ),
            now=now,
        )
