"""What we mail about ceremonies. Pure: a recognition's values in, RFC 5322 messages out.

Two kinds of reader: the *requester* (who submitted the ceremony; for one staff scheduled, each of
the partner's admins) gets the confirmation with its calendar invitation, every updated invitation
and the cancellation; the *mailing contact* gets what they need to expect the pins (where, for
which ceremony, who asked). Partners know staff only as "<certifier> staff": no mail names a staff
user. Who gets what, and under which outbox key, is decided in ``service.recognitions.notices``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from email.message import EmailMessage

from service.dates import written_day, written_moment
from service.mail.compose import Attachment, Link, MailConfig, Paragraph, compose, mailbox
from service.recognitions.invitations import (
    TYPE_NAMES,
    Method,
    ceremony_title,
    invitation,
    local_start,
    postal_address,
    recognition_link,
)
from service.recognitions.models import CeremonyFormat, Recognition, StoredStatus, local_date

FORMAT_WORDS = {CeremonyFormat.ONLINE: "online", CeremonyFormat.IN_PERSON: "in person"}
# What a requester's "has changed (…)" calls a change of the mailing contact.
MAILING_CONTACT = "mailing contact"


@dataclass(frozen=True, slots=True)
class Person:
    """Someone we mail: a name and an address (and, for a user, who they are)."""

    name: str
    email: str
    user_id: int | None = None

    def same_as(self, other: Person) -> bool:
        return self.email.casefold() == other.email.casefold()

    def header(self) -> str:
        return mailbox(self.name, self.email)


@dataclass(frozen=True, slots=True)
class Redated:
    """Provisional certificates of a ceremony that moved: how many now print its new day."""

    count: int
    old_day: date
    new_day: date


def contact_of(recognition: Recognition) -> Person:
    """The ceremony's mailing contact for the pins."""
    return Person(name=recognition.contact_name or "", email=recognition.contact_email or "")


# ---------------------------------------------------------------- to the requester


def ceremony_confirmation(
    recognition: Recognition,
    *,
    key: str,
    requester: Person,
    partner_name: str,
    config: MailConfig,
    now: datetime,
    by_staff: bool = False,
) -> EmailMessage:
    """The guide's confirmation email, to who submitted the ceremony, with a calendar invitation;
    ``by_staff``: staff scheduled it for the partner, and it goes to the partner's admins."""
    assert recognition.format is not None
    representative = (
        f"An {config.certifier} representative has been requested to attend."
        if recognition.representative_requested
        else f"No {config.certifier} representative was requested."
    )
    scheduled = (
        f"{config.certifier} staff scheduled the pinning ceremony \u201c{recognition.name}\u201d of "
        f"{partner_name} for"
        if by_staff
        else f"The pinning ceremony \u201c{recognition.name}\u201d of {partner_name} is scheduled for"
    )
    paragraphs: list[Paragraph] = [
        f"Dear {requester.name},",
        f"{scheduled} {_when(recognition)}, {FORMAT_WORDS[recognition.format]}. {representative}",
        *_meeting(recognition),
        *_address_paragraphs(recognition, recognition),
        _pins_paragraph(recognition, requester),
        "You can now generate certificates for the course-takers of this ceremony on its Certificates page.",
        Link("Generate certificates", _certificates_link(config, recognition)),
        Link("See the ceremony in the Partnership Portal", recognition_link(config, recognition)),
        "The calendar invitation attached adds the ceremony to your calendar.",
    ]
    return compose(
        config=config,
        key=key,
        recipient=requester.header(),
        subject=ceremony_title(recognition, "Pinning ceremony scheduled"),
        paragraphs=paragraphs,
        sent_at=now,
        attachments=(_invitation(recognition, Method.REQUEST, requester, partner_name, config, now),),
    )


def ceremony_updated(
    recognition: Recognition,
    *,
    key: str,
    requester: Person,
    partner_name: str,
    changed: list[str],
    was: Recognition,
    config: MailConfig,
    now: datetime,
    redated: Redated | None = None,
    pins: bool = False,
    no_longer_contact: bool = False,
) -> EmailMessage:
    """A scheduled ceremony changed: its new details and an updated invitation (same UID, next SEQUENCE).
    ``changed`` names what changed, and ``was`` is the ceremony as it was before: each change is read
    with what it replaced (the name the reader knew it by, the start, the format, the meeting link,
    the address, the mailing contact), so no reader has to guess what "changed (address)" means.
    When its day moved, provisional certificates printed before show the old day; with ``pins``,
    where the pins now go (the reader is the mailing contact too, or the pins' address or contact
    changed); ``no_longer_contact``: the reader was the mailing contact and another is now, which
    they read before where the pins go."""
    assert recognition.format is not None
    formerly = f" (formerly \u201c{was.name}\u201d)" if was.name != recognition.name else ""
    no_longer = "You are no longer the mailing contact for its pins. " if no_longer_contact else ""
    paragraphs: list[Paragraph] = [
        f"Dear {requester.name},",
        f"The pinning ceremony \u201c{recognition.name}\u201d{formerly} of {partner_name} has changed "
        f"({', '.join(changed)}). It is now scheduled for {_when(recognition)}, "
        f"{FORMAT_WORDS[recognition.format]}.{_schedule_before(recognition, was)}",
        *_meeting(recognition, was),
        *_address_paragraphs(recognition, was),
        *_contact_paragraphs(recognition, was, told=MAILING_CONTACT in changed and not no_longer_contact),
        *([no_longer + _pins_paragraph(recognition, requester)] if pins else []),
        *_redated_paragraphs(recognition, redated, config),
        Link("See the ceremony in the Partnership Portal", recognition_link(config, recognition)),
        "The updated calendar invitation attached replaces the one you had.",
    ]
    return compose(
        config=config,
        key=key,
        recipient=requester.header(),
        subject=ceremony_title(recognition, "Pinning ceremony changed"),
        paragraphs=paragraphs,
        sent_at=now,
        attachments=(_invitation(recognition, Method.REQUEST, requester, partner_name, config, now),),
    )


def ceremony_cancelled(
    recognition: Recognition,
    *,
    key: str,
    requester: Person,
    partner_name: str,
    config: MailConfig,
    now: datetime,
    provisional: int = 0,
    pins_not_coming: bool = False,
) -> EmailMessage:
    """The ceremony is called off: a cancelled invitation takes it out of the calendar. Its
    ``provisional`` certificates stay provisional (their course-takers may still complete) and keep
    the ceremony's day until they settle: the requester is told so. ``pins_not_coming``: the reader
    is the mailing contact too, and the pins were still to come: they read what another contact
    reads (``pins_not_coming()``), that the pins will not be mailed."""
    reason = f" Reason: {recognition.cancellation_reason}" if recognition.cancellation_reason else ""
    so = ", so its pins will not be mailed" if pins_not_coming else ""
    return compose(
        config=config,
        key=key,
        recipient=requester.header(),
        subject=ceremony_title(recognition, "Pinning ceremony cancelled"),
        paragraphs=[
            f"Dear {requester.name},",
            f"The pinning ceremony \u201c{recognition.name}\u201d of {partner_name} on {_when(recognition)} "
            f"has been cancelled{so}.{reason}",
            *_provisional_after_cancel(recognition, provisional),
            Link("See the ceremony in the Partnership Portal", recognition_link(config, recognition)),
            "The calendar invitation attached removes it from your calendar.",
        ],
        sent_at=now,
        attachments=(_invitation(recognition, Method.CANCEL, requester, partner_name, config, now),),
    )


def pins_mailed_to_requester(
    recognition: Recognition, *, key: str, requester: Person, config: MailConfig, now: datetime
) -> EmailMessage:
    """Staff marked the pins mailed: the requester hears where they went (to them, when they are the
    mailing contact too: this is then the contact's mail as well)."""
    contact = contact_of(recognition)
    whom = "you" if contact.same_as(requester) else contact.name
    return compose(
        config=config,
        key=key,
        recipient=requester.header(),
        subject=f"Pins mailed for your ceremony: {recognition.name}",
        paragraphs=[
            f"Dear {requester.name},",
            f"The pins for the pinning ceremony \u201c{recognition.name}\u201d on {_when(recognition)} have "
            f"been mailed to {whom} at {postal_address(recognition)}.",
            Link("See the ceremony in the Partnership Portal", recognition_link(config, recognition)),
        ],
        sent_at=now,
    )


def pins_updated_to_requester(
    recognition: Recognition,
    *,
    key: str,
    requester: Person,
    partner_name: str,
    was: Recognition,
    config: MailConfig,
    now: datetime,
) -> EmailMessage:
    """What the mailing contact relies on changed (their own details, or they became the contact) and
    nothing the invitation shows did: the requester who is the mailing contact hears what
    ``pins_expected`` tells another contact (what it was before the change, ``was``), with the link
    their account opens."""
    return compose(
        config=config,
        key=key,
        recipient=requester.header(),
        subject=f"Updated: pins to be mailed for: {recognition.name}",
        paragraphs=[
            f"Dear {requester.name},",
            f"The details have changed. You are the mailing contact for the pins of the pinning ceremony "
            f"\u201c{recognition.name}\u201d of {partner_name} on {_when(recognition)}.",
            *_before_this_change(recognition, was),
            _pins_paragraph(recognition, requester),
            f"If the address or your details ({recognition.contact_phone}) are wrong, correct them in the "
            "Partnership Portal.",
            Link("See the ceremony in the Partnership Portal", recognition_link(config, recognition)),
        ],
        sent_at=now,
    )


def contact_replaced_to_requester(
    recognition: Recognition,
    *,
    key: str,
    requester: Person,
    partner_name: str,
    config: MailConfig,
    now: datetime,
) -> EmailMessage:
    """The requester who was the mailing contact is no longer (another address is), and nothing the
    invitation shows changed: what ``contact_replaced`` tells another former contact, and where the
    pins go now, with the link their account opens."""
    return compose(
        config=config,
        key=key,
        recipient=requester.header(),
        subject=f"Updated: pins to be mailed for: {recognition.name}",
        paragraphs=[
            f"Dear {requester.name},",
            "The mailing contact has changed. You are no longer the mailing contact for the pins of the "
            f"pinning ceremony \u201c{recognition.name}\u201d of {partner_name} on {_when(recognition)}.",
            _pins_paragraph(recognition, requester),
            Link("See the ceremony in the Partnership Portal", recognition_link(config, recognition)),
        ],
        sent_at=now,
    )


# ---------------------------------------------------------------- to the mailing contact


def pins_expected(
    recognition: Recognition,
    *,
    key: str,
    named_by: Person | None,
    ask: Sequence[Person],
    partner_name: str,
    config: MailConfig,
    now: datetime,
    was: Recognition | None = None,
) -> EmailMessage:
    """The mailing contact: which ceremony the pins are for, where they will go, and whom to ask.

    ``named_by``: who at the partner named them; None when staff did (partners know staff only as
    "<certifier> staff", never by name). ``ask``: who at the partner can correct the details; none,
    Partnership Portal Support. No portal link: a mailing contact need not have an account.
    ``was``: for an update, the ceremony as this contact knew it (its name, what they were told
    before the change); None for the first mail they get about it.
    """
    contact = contact_of(recognition)
    lead = "The details have changed. " if was is not None else ""
    renamed_from = was.name if was is not None and was.name != recognition.name else None
    formerly = f" (formerly \u201c{renamed_from}\u201d)" if renamed_from is not None else ""
    ceremony = f"the pins of the pinning ceremony \u201c{recognition.name}\u201d{formerly}"
    # Not "<name> named you …": a paragraph that begins with a right-to-left name reads right to left
    # in mail programs that take its direction from its first letter, as plain text has no other.
    named = (
        f"{config.certifier} staff named you the mailing contact for {ceremony} of {partner_name} on "
        f"{_when(recognition)}."
        if named_by is None
        else f"You are the mailing contact for {ceremony} on {_when(recognition)}, named by {named_by.name} "
        f"({named_by.email}) of {partner_name}."
    )
    wrong = f"If the address or your details ({recognition.contact_phone}) are wrong,"
    correct = (
        f"{wrong} ask {_either(ask, introduced=named_by)} to correct them in the Partnership Portal."
        if ask
        else f"{wrong} contact Partnership Portal Support to correct them."
    )
    return compose(
        config=config,
        key=key,
        recipient=contact.header(),
        # The pins are not on their way yet: staff mark them mailed when they are (``pins_mailed``).
        subject=f"{'Updated: p' if was is not None else 'P'}ins to be mailed for: {recognition.name}",
        paragraphs=[
            f"Dear {contact.name},",
            f"{lead}{named}",
            *([] if was is None else _before_this_change(recognition, was)),
            f"{config.certifier} will mail the pins to {postal_address(recognition)}, and you will hear from "
            "us when they are on their way.",
            correct,
        ],
        sent_at=now,
    )


def _either(people: Sequence[Person], *, introduced: Person | None) -> str:
    """Whom to ask, in words ("A", "A or B", "A, B or C"); with an address, unless introduced already."""
    named = [
        person.name
        if introduced is not None and person.same_as(introduced)
        else f"{person.name} ({person.email})"
        for person in people
    ]
    return named[0] if len(named) == 1 else f"{', '.join(named[:-1])} or {named[-1]}"


def pins_renamed(
    recognition: Recognition,
    *,
    key: str,
    renamed_from: str,
    partner_name: str,
    config: MailConfig,
    now: datetime,
) -> EmailMessage:
    """The ceremony was renamed and nothing the mailing contact relies on changed: its new name, so
    that "Pins mailed for: …" names a ceremony they know."""
    contact = contact_of(recognition)
    return compose(
        config=config,
        key=key,
        recipient=contact.header(),
        subject=f"Updated: pins to be mailed for: {recognition.name}",
        paragraphs=[
            f"Dear {contact.name},",
            f"The pinning ceremony \u201c{renamed_from}\u201d of {partner_name} on {_when(recognition)}, "
            f"whose pins you are the mailing contact for, is now called \u201c{recognition.name}\u201d.",
            f"Nothing changes for the pins: {config.certifier} will mail them to "
            f"{postal_address(recognition)}, and you will hear from us when they are on their way.",
        ],
        sent_at=now,
    )


def contact_replaced(
    recognition: Recognition,
    *,
    key: str,
    former: Person,
    ask: Sequence[Person],
    partner_name: str,
    config: MailConfig,
    now: datetime,
    renamed_from: str | None = None,
) -> EmailMessage:
    """The ``former`` mailing contact, replaced by another while the pins were pending: they were told
    they would hear from us when the pins are on their way, and now will not. Which ceremony (by the
    name they know, ``renamed_from`` when it was renamed at once), and whom to ask at the partner
    (``ask``; none, Partnership Portal Support). Who the new contact is stays with the partner."""
    known = renamed_from if renamed_from is not None else recognition.name
    now_called = f" (now called \u201c{recognition.name}\u201d)" if renamed_from is not None else ""
    still = "If you should still be the mailing contact,"
    whom = (
        f"{still} ask {_either(ask, introduced=None)} to correct it in the Partnership Portal."
        if ask
        else f"{still} tell Partnership Portal Support."
    )
    return compose(
        config=config,
        key=key,
        recipient=former.header(),
        subject=f"No longer the mailing contact for: {known}",
        paragraphs=[
            f"Dear {former.name},",
            f"You are no longer the mailing contact for the pins of the pinning ceremony \u201c{known}\u201d"
            f"{now_called} of {partner_name} on {_when(recognition)}: {config.certifier} will mail them to "
            "another contact, and you will not hear from us about them again.",
            whom,
        ],
        sent_at=now,
    )


def pins_mailed(recognition: Recognition, *, key: str, config: MailConfig, now: datetime) -> EmailMessage:
    """Staff marked the pins mailed: the mailing contact should expect them."""
    contact = contact_of(recognition)
    return compose(
        config=config,
        key=key,
        recipient=contact.header(),
        subject=f"Pins mailed for: {recognition.name}",
        paragraphs=[
            f"Dear {contact.name},",
            f"The pins for the pinning ceremony \u201c{recognition.name}\u201d on {_when(recognition)} "
            f"have been mailed to {postal_address(recognition)}.",
        ],
        sent_at=now,
    )


def pins_not_coming(
    recognition: Recognition, *, key: str, partner_name: str, config: MailConfig, now: datetime
) -> EmailMessage:
    """The ceremony was cancelled before its pins were mailed: the contact need not wait for them."""
    contact = contact_of(recognition)
    return compose(
        config=config,
        key=key,
        recipient=contact.header(),
        subject=ceremony_title(recognition, "Pinning ceremony cancelled"),
        paragraphs=[
            f"Dear {contact.name},",
            f"The pinning ceremony \u201c{recognition.name}\u201d of {partner_name} on {_when(recognition)} "
            "has been cancelled, so its pins will not be mailed.",
        ],
        sent_at=now,
    )


# ---------------------------------------------------------------- shared wording


def _when(recognition: Recognition) -> str:
    """The ceremony's start as every mail writes it (``service.dates``): the day as its certificates
    print it, the time with its zone."""
    assert recognition.starts_at is not None and recognition.time_zone is not None
    return written_moment(recognition.starts_at, recognition.time_zone)


def _certificates_link(config: MailConfig, recognition: Recognition) -> str:
    return config.links.certificates(TYPE_NAMES[recognition.kind], recognition.id)


def _invitation(
    recognition: Recognition,
    method: Method,
    requester: Person,
    partner_name: str,
    config: MailConfig,
    now: datetime,
) -> Attachment:
    """The calendar invitation a requester's mail carries (REQUEST, or CANCEL)."""
    return invitation(
        recognition,
        method,
        attendee_name=requester.name,
        attendee_email=requester.email,
        partner_name=partner_name,
        config=config,
        now=now,
    )


def _certificate_day(day: date) -> str:
    """A day as certificates print it, and as every date in a mail is written: 27 January 2027."""
    return written_day(day)


def _redated_paragraphs(
    recognition: Recognition, redated: Redated | None, config: MailConfig
) -> list[Paragraph]:
    if redated is None:
        return []
    some = (
        "The provisional certificate issued for this ceremony now shows"
        if redated.count == 1
        else f"The {redated.count} provisional certificates issued for this ceremony now show"
    )
    return [
        f"{some} its new date, {_certificate_day(redated.new_day)}. "
        f"Certificates printed or downloaded before this change still show "
        f"{_certificate_day(redated.old_day)}: download them again, or regenerate the combined file "
        "(\u201cDownload Last Certificates File\u201d under the \u201cDownload\u201d menu), before the "
        "ceremony.",
        Link("Open the ceremony\u2019s certificates", _certificates_link(config, recognition)),
    ]


def _provisional_after_cancel(recognition: Recognition, count: int) -> list[Paragraph]:
    if not count:
        return []
    day = _certificate_day(local_start(recognition).date())
    if count == 1:
        return [
            "A provisional certificate was issued for this ceremony. It stays provisional and still shows "
            f"the ceremony\u2019s date, {day}, until its course-taker completes the course: then it shows "
            "the completion date (or is voided if the course closes without it). Generated again for a "
            "ceremony that replaces this one, it shows that ceremony\u2019s date instead."
        ]
    return [
        f"{count} provisional certificates were issued for this ceremony. They stay provisional and still "
        f"show the ceremony\u2019s date, {day}, until their course-takers complete the course: then they "
        "show the completion date (or are voided if the course closes without it). Generated again for a "
        "ceremony that replaces this one, they show that ceremony\u2019s date instead."
    ]


def _meeting(recognition: Recognition, was: Recognition | None = None) -> list[Paragraph]:
    """An online ceremony's link to join; after a change, the link it replaced (or that there is none
    now), when the reader had one."""
    if recognition.format is not CeremonyFormat.ONLINE:
        return []
    old = was.meeting_url if was is not None and was.format is CeremonyFormat.ONLINE else None
    if not recognition.meeting_url:
        return [] if old is None else [f"The meeting link has been removed (previously {old})."]
    join = Link("Join the ceremony online", recognition.meeting_url)
    if old is None or old == recognition.meeting_url:
        return [join]
    return [f"The meeting link has changed (previously {old}).", join]


def _schedule_before(recognition: Recognition, was: Recognition) -> str:
    """The sentence that follows "It is now scheduled for …" when the start or the format changed."""
    assert was.format is not None
    moved = _when(was) != _when(recognition)
    reformatted = was.format is not recognition.format
    if moved:
        return f" It was scheduled for {_when(was)}{f', {FORMAT_WORDS[was.format]}' if reformatted else ''}."
    return f" It was to be held {FORMAT_WORDS[was.format]}." if reformatted else ""


def _address_paragraphs(recognition: Recognition, was: Recognition) -> list[Paragraph]:
    """Where an in-person ceremony is; an online one's mailing address for the pins when it changed
    (it is nowhere else in the mail once the pins are mailed), each with the address it replaced."""
    address, old = postal_address(recognition), postal_address(was)
    previously = f" (previously {old})" if old and old != address else ""
    if recognition.format is CeremonyFormat.IN_PERSON:
        return [f"Where: {address}{previously}."]
    if not previously:
        return []
    mailed = ""
    if recognition.status is StoredStatus.SCHEDULED_PINS_MAILED and recognition.pins_mailed_at is not None:
        day = local_date(recognition.pins_mailed_at, recognition.time_zone)
        assert day is not None
        mailed = f" The pins were mailed on {_certificate_day(day)}, before this change."
    return [f"Mailing address for the pins: {address}{previously}.{mailed}"]


def _contact_paragraphs(recognition: Recognition, was: Recognition, *, told: bool) -> list[Paragraph]:
    """When the requester is ``told`` of it: the mailing contact (name, email, phone) and who it was."""
    if not told:
        return []
    return [f"Mailing contact: {_contact_details(recognition)} (previously {_contact_details(was)})."]


def _contact_details(recognition: Recognition) -> str:
    details = (recognition.contact_name, recognition.contact_email, recognition.contact_phone)
    return ", ".join(part for part in details if part)


def _before_this_change(recognition: Recognition, was: Recognition) -> list[Paragraph]:
    """For the mailing contact, who reads the ceremony's day, the address and their own details in
    their mail: what each of those that changed was before."""
    clauses = []
    if _when(was) != _when(recognition):
        clauses.append(f"the ceremony was scheduled for {_when(was)}")
    if postal_address(was) != postal_address(recognition):
        clauses.append(f"the pins were to be mailed to {postal_address(was)}")
    if not contact_of(was).same_as(contact_of(recognition)):
        clauses.append(f"the mailing contact was {_contact_details(was)}")
    else:
        for words, column in (
            ("name", "contact_name"),
            ("email address", "contact_email"),
            ("phone number", "contact_phone"),
        ):
            if getattr(was, column) != getattr(recognition, column):
                clauses.append(f"your {words} was {getattr(was, column)}")
    return [f"Before this change: {'; '.join(clauses)}."] if clauses else []


def _pins_paragraph(recognition: Recognition, requester: Person) -> str:
    contact = contact_of(recognition)
    if contact.same_as(requester):
        return (
            f"What comes next: we will mail the pins to you at {postal_address(recognition)}, and you will "
            "hear from us when they are on their way."
        )
    return (
        f"What comes next: we will mail the pins to {contact.name} at {postal_address(recognition)}; we have "
        f"told {contact.name} ({contact.email}) what to expect, and both of you will hear from us when "
        "they are on their way."
    )
