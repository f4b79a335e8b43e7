"""Recognitions: the dashboard, the ceremony wizard and the certificate-request wizard.

Every change runs in one transaction with its event and any mail it causes, so a refusal
leaves nothing behind and a success is recorded whole.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from service.audit import services as audit
from service.audit.models import AuditAction
from service.cohorts.models import Cohort
from service.cohorts.rules import check_date_range
from service.errors import DomainError, ErrorCode, Forbidden, NotFound, Problem
from service.events import announce
from service.mail.compose import MailConfig
from service.mail.outbox import outbox
from service.partners.models import Partner
from service.recognitions import mails, rules
from service.recognitions.models import (
    CeremonyFormat,
    EventKind,
    Recognition,
    RecognitionCohort,
    RecognitionEvent,
    RecognitionKind,
    StoredStatus,
)
from service.recognitions.rules import Action, CeremonyDetails, Status
from service.text import clean_text
from service.users.actor import Actor


class Unchanged:
    """Marks an update field the caller did not give (``None`` means "clear it")."""

    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED: Any = Unchanged()


@dataclass(frozen=True, slots=True)
class Step1:
    """Step 1 of both wizards: a date range over cohort end dates and the cohorts chosen in it."""

    range_start: date
    range_end: date
    cohort_ids: Sequence[int]
    name: str | None = None


@dataclass(frozen=True, slots=True)
class CeremonyStart:
    """A wall-clock time and the IANA zone it is in."""

    local: datetime
    time_zone: str


@dataclass(frozen=True, slots=True)
class MailingContact:
    name: str | None = None
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class PostalAddress:
    line1: str | None = None
    line2: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None


@dataclass(frozen=True, slots=True)
class Step1Changes:
    """Step-1 changes of either wizard; every field left UNCHANGED keeps its value."""

    name: str | None = UNCHANGED
    range_start: date | None = UNCHANGED
    range_end: date | None = UNCHANGED
    cohort_ids: Sequence[int] | None = UNCHANGED


@dataclass(frozen=True, slots=True)
class CeremonyChanges(Step1Changes):
    """Changes to either step of the ceremony wizard; every field left UNCHANGED keeps its value."""

    start: CeremonyStart | None = UNCHANGED
    format: CeremonyFormat | None = UNCHANGED
    representative_requested: bool | None = UNCHANGED
    mailing_contact: MailingContact | None = UNCHANGED
    postal_address: PostalAddress | None = UNCHANGED


@dataclass(frozen=True, slots=True)
class DashboardFilter:
    kind: RecognitionKind | None = None
    statuses: Sequence[Status] = ()
    search: str | None = None
    ceremony_date_from: date | None = None
    ceremony_date_to: date | None = None


ORDERINGS = {
    "CREATED_AT_DESC": ("-created_at", "-id"),
    "CREATED_AT_ASC": ("created_at", "id"),
    "NAME_ASC": ("name", "id"),
    "NAME_DESC": ("-name", "-id"),
}


# ---------------------------------------------------------------- reading


def visible(actor: Actor) -> Any:
    """Recognitions the actor may see: their partner's (every partner's for staff), not deleted."""
    return actor.scope(Recognition.filter(deleted_at__isnull=True))


async def recognitions_by_ids(*, actor: Actor, ids: Iterable[int]) -> dict[int, Recognition]:
    """The recognitions among ``ids`` the actor may see, by id."""
    return {item.id: item for item in await visible(actor).filter(id__in=set(ids))}


async def get_recognition(
    *, actor: Actor, recognition_id: int, field: tuple[str, ...] = ("id",)
) -> Recognition:
    """One recognition the actor may see; NotFound for another partner's, as for a missing one."""
    recognition = (await recognitions_by_ids(actor=actor, ids=[recognition_id])).get(recognition_id)
    if recognition is None:
        raise NotFound("Recognition", field=field)
    return recognition


def status_filter(statuses: Iterable[Status], now: datetime) -> Q:
    """SQL for the shown statuses; PAST and the scheduled ones are told apart by the start."""
    scheduled_and_started = Q(starts_at__lte=now)
    conditions = []
    for status in set(statuses):
        if status is Status.PAST:
            conditions.append(Q(status__in=list(rules.SCHEDULED)) & scheduled_and_started)
        elif status in (Status.SCHEDULED_PENDING, Status.SCHEDULED_PINS_MAILED):
            conditions.append(Q(status=StoredStatus(status.value)) & ~scheduled_and_started)
        else:
            conditions.append(Q(status=StoredStatus(status.value)))
    return Q(*conditions, join_type=Q.OR)


async def dashboard_page(
    *,
    actor: Actor,
    now: datetime,
    filter: DashboardFilter,
    order_by: str,
    first: int,
    after: tuple[Any, int] | None,
) -> tuple[list[Recognition], bool, int]:
    """One page of the dashboard, its ``has_next`` and the total count, all decided in SQL.

    Paging is by keyset (the sort value and id of the last row seen), so pages stay stable
    while recognitions are added.
    """
    query = visible(actor)
    if filter.kind is not None:
        query = query.filter(kind=filter.kind)
    if filter.statuses:
        query = query.filter(status_filter(filter.statuses, now))
    if filter.search and filter.search.strip():
        query = query.filter(name__icontains=filter.search.strip())
    if filter.ceremony_date_from is not None:
        query = query.filter(ceremony_date__gte=filter.ceremony_date_from)
    if filter.ceremony_date_to is not None:
        query = query.filter(ceremony_date__lte=filter.ceremony_date_to)
    total = await query.count()
    ordering = ORDERINGS[order_by]
    if after is not None:
        query = query.filter(_after(ordering, after))
    rows = await query.order_by(*ordering).limit(first + 1)
    return rows[:first], len(rows) > first, total


def cursor_value(recognition: Recognition, order_by: str) -> tuple[Any, int]:
    """What identifies a row's place in an ordering, for the next page's keyset."""
    column = ORDERINGS[order_by][0].lstrip("-")
    return getattr(recognition, column), recognition.id


def _after(ordering: tuple[str, str], cursor: tuple[Any, int]) -> Q:
    value, last_id = cursor
    column, descending = ordering[0].lstrip("-"), ordering[0].startswith("-")
    beyond = "lt" if descending else "gt"
    past_value: dict[str, Any] = {f"{column}__{beyond}": value}
    same_value: dict[str, Any] = {column: value, f"id__{beyond}": last_id}
    return Q(**past_value) | Q(**same_value)


async def cohort_ids_by_recognition_ids(*, ids: Iterable[int]) -> dict[int, list[int]]:
    """The selected cohorts of each recognition (the caller has already checked it may see them)."""
    grouped: dict[int, list[int]] = {recognition_id: [] for recognition_id in ids}
    for recognition_id, cohort_id in (
        await RecognitionCohort.filter(recognition_id__in=list(grouped))
        .order_by("cohort_id")
        .values_list("recognition_id", "cohort_id")
    ):
        grouped[recognition_id].append(cohort_id)
    return grouped


async def events_by_recognition_ids(*, ids: Iterable[int]) -> dict[int, list[RecognitionEvent]]:
    """The history of each recognition, oldest first."""
    grouped: dict[int, list[RecognitionEvent]] = {recognition_id: [] for recognition_id in ids}
    for event in await RecognitionEvent.filter(recognition_id__in=list(grouped)).order_by("at", "id"):
        grouped[event.recognition_id].append(event)
    return grouped


def shown_status(recognition: Recognition, now: datetime) -> Status:
    return rules.status_of(recognition.status, recognition.starts_at, now)


def actions_for(recognition: Recognition, actor: Actor, now: datetime) -> list[Action]:
    return rules.available_actions(recognition.kind, shown_status(recognition, now), actor)


# ---------------------------------------------------------------- step 1


async def _checked_cohorts(*, actor: Actor, step: Step1, partner_id: int | None) -> tuple[int, list[int]]:
    """The partner and the de-duplicated cohort ids of a valid step 1, or every problem with it."""
    check_date_range(step.range_start, step.range_end, field=("dateRange",))
    cohort_ids = list(dict.fromkeys(step.cohort_ids))
    if not cohort_ids:
        raise DomainError.of(
            ErrorCode.NO_COHORTS_SELECTED, "Select at least one cohort.", field=("cohortIds",)
        )
    found = {cohort.id: cohort for cohort in await actor.scope(Cohort.filter(id__in=cohort_ids))}
    problems: list[Problem] = []
    for index, cohort_id in enumerate(step.cohort_ids):
        cohort = found.get(cohort_id)
        field = ("cohortIds", str(index))
        if cohort is None or (partner_id is not None and cohort.partner_id != partner_id):
            problems.append(Problem(ErrorCode.NOT_FOUND, "Cohort not found.", field))
        elif not step.range_start <= cohort.ends_on <= step.range_end:
            problems.append(
                Problem(
                    ErrorCode.COHORT_OUTSIDE_RANGE,
                    f"{cohort.name} ends on {cohort.ends_on.isoformat()}, outside the date range.",
                    field,
                )
            )
    if problems:
        raise DomainError(*problems)
    partners = {cohort.partner_id for cohort in found.values()}
    if len(partners) > 1:
        raise DomainError.of(
            ErrorCode.COHORTS_OF_SEVERAL_PARTNERS,
            "The cohorts belong to several partners; a recognition is for one partner.",
            field=("cohortIds",),
        )
    return partners.pop(), cohort_ids


def _checked_name(name: str | None, kind: RecognitionKind, step: Step1) -> str:
    text, problems = clean_text(name, field=("name",), max_length=rules.NAME_MAX_LENGTH, required=False)
    if problems:
        raise DomainError(*problems)
    return text or rules.default_name(kind, step.range_start, step.range_end)


async def create_recognition(
    *, actor: Actor, kind: RecognitionKind, step: Step1, now: datetime
) -> Recognition:
    """Save step 1 of either wizard as a draft."""
    name = _checked_name(step.name, kind, step)
    partner_id, cohort_ids = await _checked_cohorts(actor=actor, step=step, partner_id=None)
    async with in_transaction() as connection:
        recognition = await Recognition.create(
            partner_id=partner_id,
            kind=kind,
            name=name,
            range_start=step.range_start,
            range_end=step.range_end,
            created_by_id=actor.user_id,
            created_at=now,
            updated_at=now,
            using_db=connection,
        )
        await _select_cohorts(recognition, cohort_ids, connection)
        await _record(
            recognition,
            EventKind.CREATED,
            actor,
            now,
            {"name": name, "dateRange": _range(step), "cohortIds": cohort_ids},
            connection,
        )
    _announce(recognition)
    return recognition


async def _select_cohorts(
    recognition: Recognition, cohort_ids: list[int], connection: BaseDBAsyncClient
) -> None:
    await RecognitionCohort.filter(recognition_id=recognition.id).using_db(connection).delete()
    await RecognitionCohort.bulk_create(
        [RecognitionCohort(recognition_id=recognition.id, cohort_id=cohort_id) for cohort_id in cohort_ids],
        using_db=connection,
    )


def _range(step: Step1) -> dict[str, str]:
    return {"start": step.range_start.isoformat(), "end": step.range_end.isoformat()}


async def _record(
    recognition: Recognition,
    kind: EventKind,
    actor: Actor,
    now: datetime,
    changes: dict[str, Any],
    connection: BaseDBAsyncClient,
) -> None:
    await RecognitionEvent.create(
        recognition_id=recognition.id,
        kind=kind,
        actor_id=actor.user_id,
        at=now,
        changes=changes,
        using_db=connection,
    )


async def _audit(
    recognition: Recognition,
    action: AuditAction,
    actor: Actor,
    now: datetime,
    details: dict[str, Any],
    connection: BaseDBAsyncClient,
) -> None:
    await audit.record(
        action=action,
        now=now,
        actor_id=actor.user_id,
        partner_id=recognition.partner_id,
        subject=f"Recognition:{recognition.id}",
        details=details,
        connection=connection,
    )


# ---------------------------------------------------------------- editing


async def _for_change(
    *,
    actor: Actor,
    recognition_id: int,
    kind: RecognitionKind | None,
    action: Action,
    now: datetime,
    connection: BaseDBAsyncClient,
) -> Recognition:
    """Lock the recognition for a change the rules allow this actor now, or refuse."""
    recognition = await _locked(actor, recognition_id, kind, connection)
    status = shown_status(recognition, now)
    if action in rules.available_actions(recognition.kind, status, actor):
        return recognition
    shown = f"{status.value.lower().replace('_', ' ')} {_noun(recognition.kind)}"
    if action in rules.available_actions(recognition.kind, status, rules.ANY_STAFF):
        raise Forbidden(f"Only staff may do this to a {shown}.", field=("id",))
    raise DomainError.of(
        ErrorCode.NOT_ALLOWED_IN_STATUS, f"A {shown} cannot be {_PAST_TENSE[action]}.", field=("id",)
    )


_PAST_TENSE = {
    Action.EDIT: "edited",
    Action.SUBMIT: "submitted",
    Action.FINALIZE: "finalized",
    Action.DELETE: "deleted",
    Action.MARK_PINS_MAILED: "marked as pins mailed",
}


def _noun(kind: RecognitionKind) -> str:
    return "ceremony" if kind is RecognitionKind.CEREMONY else "certificate request"


def details_of(recognition: Recognition) -> CeremonyDetails:
    return CeremonyDetails(
        **{field.name: getattr(recognition, field.name) for field in fields(CeremonyDetails)}
    )


def _step2_values(changes: CeremonyChanges) -> tuple[dict[str, Any], list[Problem]]:
    """Column values for the step-2 fields given, each checked for form (not for presence)."""
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    if changes.start is not UNCHANGED:
        if changes.start is None:
            values.update(starts_at=None, time_zone=None)
        else:
            zone, zone_problems = rules.zone_named(changes.start.time_zone, field=("start", "timeZone"))
            problems += zone_problems
            if zone is not None:
                starts_at, time_problems = rules.local_start(
                    changes.start.local, zone, field=("start", "dateTime")
                )
                problems += time_problems
                values.update(starts_at=starts_at, time_zone=zone.key)
    if changes.format is not UNCHANGED:
        values["format"] = changes.format
    if changes.representative_requested is not UNCHANGED:
        values["representative_requested"] = changes.representative_requested
    for given, group, fields_of_group in (
        (changes.mailing_contact, "mailingContact", CONTACT_FIELDS),
        (changes.postal_address, "postalAddress", ADDRESS_FIELDS),
    ):
        if given is not UNCHANGED:
            group_values, group_problems = _text_values(given, group, fields_of_group)
            values.update(group_values)
            problems += group_problems
    return values, problems


FormCheck = Callable[..., list[Problem]]
# column, input attribute, longest text, form check, how it is stored
CONTACT_FIELDS: tuple[tuple[str, str, int, FormCheck | None, Callable[[str], str]], ...] = (
    ("contact_name", "name", 200, None, str),
    ("contact_email", "email", 254, rules.check_email, str),
    ("contact_phone", "phone", 40, rules.check_phone, str),
)
ADDRESS_FIELDS: tuple[tuple[str, str, int, FormCheck | None, Callable[[str], str]], ...] = (
    ("address_line1", "line1", 200, None, str),
    ("address_line2", "line2", 200, None, str),
    ("address_city", "city", 100, None, str),
    ("address_region", "region", 100, None, str),
    ("address_postal_code", "postal_code", 20, None, str),
    ("address_country", "country", 64, rules.check_country, str.upper),
)


def _text_values(
    given: MailingContact | PostalAddress | None,
    group: str,
    fields_of_group: tuple[tuple[str, str, int, FormCheck | None, Callable[[str], str]], ...],
) -> tuple[dict[str, Any], list[Problem]]:
    """An object of text fields, replaced whole (None clears it): column values and problems of form."""
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for column, attribute, longest, check, stored in fields_of_group:
        field = (group, _camel(attribute))
        text, text_problems = clean_text(
            getattr(given, attribute, None), field=field, max_length=longest, required=False
        )
        problems += text_problems
        if text is not None and check is not None:
            problems += check(text, field=field)
        values[column] = None if text is None else stored(text)
    return values, problems


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _submit_problems(
    recognition: Recognition, *, now: datetime, check_notice: bool, override_notice: bool
) -> list[Problem]:
    """What stops a ceremony from being scheduled as it stands."""
    problems = rules.missing_for_submit(details_of(recognition))
    if check_notice and not override_notice and recognition.starts_at is not None and recognition.time_zone:
        problems += rules.check_notice(
            recognition.starts_at, ZoneInfo(recognition.time_zone), now, field=("start", "dateTime")
        )
    return problems


async def update_ceremony(
    *, actor: Actor, recognition_id: int, changes: CeremonyChanges, now: datetime
) -> Recognition:
    """Save either step of the wizard. A draft may stay incomplete; a scheduled ceremony is
    checked again as on submit (the 14-day notice only when its start moves)."""
    return await _update(
        actor=actor, recognition_id=recognition_id, kind=RecognitionKind.CEREMONY, changes=changes, now=now
    )


async def update_certificate_request(
    *, actor: Actor, recognition_id: int, changes: Step1Changes, now: datetime
) -> Recognition:
    """Save step 1 of a certificate-request draft again."""
    return await _update(
        actor=actor,
        recognition_id=recognition_id,
        kind=RecognitionKind.CERTIFICATE_REQUEST,
        changes=changes,
        now=now,
    )


async def _update(
    *, actor: Actor, recognition_id: int, kind: RecognitionKind, changes: Step1Changes, now: datetime
) -> Recognition:
    async with in_transaction() as connection:
        recognition = await _for_change(
            actor=actor,
            recognition_id=recognition_id,
            kind=kind,
            action=Action.EDIT,
            now=now,
            connection=connection,
        )
        values, problems = _step2_values(changes) if isinstance(changes, CeremonyChanges) else ({}, [])
        cohort_ids = await _step1_changes(actor, recognition, changes, values, problems)
        if problems:
            raise DomainError(*problems)
        before = {column: getattr(recognition, column) for column in values}
        recognition.update_from_dict(values)
        if recognition.status in rules.SCHEDULED:
            start_moved = "starts_at" in values and values["starts_at"] != before["starts_at"]
            if problems := _submit_problems(
                recognition, now=now, check_notice=start_moved, override_notice=False
            ):
                raise DomainError(*problems)
        recognition.updated_at = now
        await recognition.save(using_db=connection)
        diff = _diff(before, values)
        if cohort_ids is not None:
            await _select_cohorts(recognition, cohort_ids, connection)
            diff["cohortIds"] = cohort_ids
        await _record(recognition, EventKind.UPDATED, actor, now, diff, connection)
    _announce(recognition)
    return recognition


async def _step1_changes(
    actor: Actor,
    recognition: Recognition,
    changes: Step1Changes,
    values: dict[str, Any],
    problems: list[Problem],
) -> list[int] | None:
    """Fold step-1 changes into ``values``; the new cohort ids when the selection is re-checked."""
    if changes.name is not UNCHANGED:
        text, name_problems = clean_text(
            changes.name, field=("name",), max_length=rules.NAME_MAX_LENGTH, required=True
        )
        problems += name_problems
        values["name"] = text
    touched = any(
        value is not UNCHANGED for value in (changes.range_start, changes.range_end, changes.cohort_ids)
    )
    if not touched:
        return None
    range_start = recognition.range_start if changes.range_start is UNCHANGED else changes.range_start
    range_end = recognition.range_end if changes.range_end is UNCHANGED else changes.range_end
    if range_start is None or range_end is None:
        problems.append(Problem(ErrorCode.REQUIRED, "A date range is required.", ("dateRange",)))
        return None
    if changes.cohort_ids is UNCHANGED:
        cohort_ids = (await cohort_ids_by_recognition_ids(ids=[recognition.id]))[recognition.id]
    else:
        cohort_ids = list(changes.cohort_ids or [])
    step = Step1(range_start=range_start, range_end=range_end, cohort_ids=cohort_ids)
    try:
        _, cohort_ids = await _checked_cohorts(actor=actor, step=step, partner_id=recognition.partner_id)
    except DomainError as error:
        problems += error.problems
        return None
    values.update(range_start=step.range_start, range_end=step.range_end)
    return cohort_ids


def _diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return {
        _camel(column): {"from": _plain(before[column]), "to": _plain(value)}
        for column, value in after.items()
        if before[column] != value
    }


def _plain(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


# ---------------------------------------------------------------- transitions


async def submit_ceremony(
    *,
    actor: Actor,
    recognition_id: int,
    now: datetime,
    mail_config: MailConfig,
    override_notice: bool = False,
    override_reason: str | None = None,
) -> Recognition:
    """Schedule a complete draft: SCHEDULED_PENDING, one event, one confirmation mail.

    Submitting a ceremony that is already scheduled changes nothing and mails nothing.
    """
    if override_notice and not actor.is_staff:
        raise Forbidden(
            "Only staff may schedule a ceremony sooner than 14 days ahead. For an urgent ceremony, contact "
            "Partnership Portal Support or your Regional Customer Success Director.",
            field=("overrideMinimumNotice",),
        )
    reason, reason_problems = clean_text(
        override_reason, field=("overrideReason",), max_length=500, required=override_notice
    )
    if reason_problems:
        raise DomainError(*reason_problems)
    async with outbox() as (connection, mail):
        recognition = await _locked(actor, recognition_id, RecognitionKind.CEREMONY, connection)
        if recognition.status is not StoredStatus.DRAFT:
            return recognition
        problems = _submit_problems(recognition, now=now, check_notice=True, override_notice=override_notice)
        if problems:
            raise DomainError(*problems)
        # The status test in the UPDATE makes concurrent submits agree: exactly one wins.
        won = (
            await Recognition.filter(id=recognition.id, status=StoredStatus.DRAFT)
            .using_db(connection)
            .update(status=StoredStatus.SCHEDULED_PENDING, submitted_at=now, updated_at=now)
        )
        if not won:
            return await Recognition.get(id=recognition.id, using_db=connection)
        await recognition.refresh_from_db(using_db=connection)
        changes: dict[str, Any] = {"status": {"from": "DRAFT", "to": "SCHEDULED_PENDING"}}
        if override_notice:
            changes["minimumNoticeOverridden"] = {"reason": reason}
            await _audit(
                recognition, AuditAction.MINIMUM_NOTICE_OVERRIDDEN, actor, now, {"reason": reason}, connection
            )
        await _record(recognition, EventKind.SUBMITTED, actor, now, changes, connection)
        partner = await Partner.get(id=recognition.partner_id, using_db=connection)
        message = mails.ceremony_confirmation(
            recognition, partner_name=partner.name, config=mail_config, now=now
        )
        await mail.add(key=mails.confirmation_key(recognition), message=message, now=now)
    _announce(recognition)
    return recognition


async def _locked(
    actor: Actor, recognition_id: int, kind: RecognitionKind | None, connection: BaseDBAsyncClient
) -> Recognition:
    """The recognition, locked for this transaction; NotFound when it is not of the ``kind`` asked."""
    recognition = (
        await visible(actor).filter(id=recognition_id).using_db(connection).select_for_update().first()
    )
    if recognition is None or (kind is not None and recognition.kind is not kind):
        what = {None: "Recognition", RecognitionKind.CEREMONY: "Ceremony"}.get(kind, "Certificate request")
        raise NotFound(what, field=("id",))
    return recognition


async def mark_pins_mailed(
    *, actor: Actor, recognition_id: int, now: datetime, mail_config: MailConfig
) -> Recognition:
    """Staff: the pins are on their way; SCHEDULED_PINS_MAILED, and a mail to the mailing contact."""
    async with outbox() as (connection, mail):
        recognition = await _for_change(
            actor=actor,
            recognition_id=recognition_id,
            kind=RecognitionKind.CEREMONY,
            action=Action.MARK_PINS_MAILED,
            now=now,
            connection=connection,
        )
        recognition.status = StoredStatus.SCHEDULED_PINS_MAILED
        recognition.pins_mailed_at = now
        recognition.updated_at = now
        await recognition.save(using_db=connection)
        await _record(
            recognition,
            EventKind.PINS_MAILED,
            actor,
            now,
            {"status": {"from": "SCHEDULED_PENDING", "to": "SCHEDULED_PINS_MAILED"}},
            connection,
        )
        await _audit(recognition, AuditAction.PINS_MARKED_MAILED, actor, now, {}, connection)
        message = mails.pins_mailed(recognition, config=mail_config, now=now)
        await mail.add(key=mails.pins_mailed_key(recognition), message=message, now=now)
    _announce(recognition)
    return recognition


async def finalize_certificate_request(*, actor: Actor, recognition_id: int, now: datetime) -> Recognition:
    """A draft request becomes CREATED, and its certificates can be generated. Never expires."""
    async with in_transaction() as connection:
        recognition = await _locked(actor, recognition_id, RecognitionKind.CERTIFICATE_REQUEST, connection)
        if recognition.status is StoredStatus.CREATED:
            return recognition
        won = (
            await Recognition.filter(id=recognition.id, status=StoredStatus.DRAFT)
            .using_db(connection)
            .update(status=StoredStatus.CREATED, finalized_at=now, updated_at=now)
        )
        await recognition.refresh_from_db(using_db=connection)
        if won:
            await _record(
                recognition,
                EventKind.FINALIZED,
                actor,
                now,
                {"status": {"from": "DRAFT", "to": "CREATED"}},
                connection,
            )
    _announce(recognition)
    return recognition


async def delete_recognition(*, actor: Actor, recognition_id: int, now: datetime) -> Recognition:
    """Delete a draft of either kind. It leaves the dashboard; its history stays."""
    async with in_transaction() as connection:
        recognition = (
            await visible(actor).filter(id=recognition_id).using_db(connection).select_for_update().first()
        )
        if recognition is None:
            raise NotFound("Recognition", field=("id",))
        recognition = await _for_change(
            actor=actor,
            recognition_id=recognition_id,
            kind=recognition.kind,
            action=Action.DELETE,
            now=now,
            connection=connection,
        )
        recognition.deleted_at = now
        recognition.updated_at = now
        await recognition.save(using_db=connection)
        await _record(recognition, EventKind.DELETED, actor, now, {}, connection)
    _announce(recognition)
    return recognition


def _announce(recognition: Recognition) -> None:
    """Tell live dashboards; they read the recognition's state from the database."""
    announce(partner_id=recognition.partner_id, recognition_id=recognition.id)
