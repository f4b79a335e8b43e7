"""The two wizards' saves: step 1 creates a draft; later saves change either step.

A draft may stay incomplete; a scheduled ceremony is checked again as on submit, and the people
concerned are mailed what changed. Each save runs in one transaction with its event and its mail,
so a refusal leaves nothing behind.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from service.certificates.issuing import follow_ceremony
from service.cohorts.models import Cohort
from service.cohorts.rules import check_date_range
from service.dates import written_day, written_range
from service.errors import DomainError, ErrorCode, Problem
from service.mail.compose import MailConfig
from service.mail.outbox import outbox
from service.recognitions import notices, rules
from service.recognitions.commands import UNCHANGED, CeremonyChanges, Step1, Step1Changes
from service.recognitions.dashboard import cohort_ids_by_recognition_ids
from service.recognitions.models import EventKind, Recognition, RecognitionCohort, RecognitionKind
from service.recognitions.rules import Action
from service.recognitions.transitions import announce_change, details_of, for_change, record_event
from service.text import clean_text
from service.users.actor import Actor


async def create_recognition(
    *, actor: Actor, kind: RecognitionKind, step: Step1, now: datetime
) -> Recognition:
    """Save step 1 of either wizard as a draft."""
    rules.check_cohort_count(step.cohort_ids)
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
        await record_event(
            recognition,
            EventKind.CREATED,
            actor,
            now,
            {"name": name, "dateRange": _range(step), "cohortIds": cohort_ids},
            connection,
        )
    announce_change(recognition)
    return recognition


async def update_ceremony(
    *, actor: Actor, recognition_id: int, changes: CeremonyChanges, now: datetime, mail_config: MailConfig
) -> Recognition:
    """Save either step of the wizard. A draft may stay incomplete; a scheduled ceremony is
    checked again as on submit (the 14-day notice only when its start moves), and a change to its
    name, date, time, format, meeting link or address mails an updated invitation."""
    return await _update(
        actor=actor,
        recognition_id=recognition_id,
        kind=RecognitionKind.CEREMONY,
        changes=changes,
        now=now,
        mail_config=mail_config,
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
    *,
    actor: Actor,
    recognition_id: int,
    kind: RecognitionKind,
    changes: Step1Changes,
    now: datetime,
    mail_config: MailConfig | None = None,
) -> Recognition:
    if changes.cohort_ids is not UNCHANGED and changes.cohort_ids is not None:
        rules.check_cohort_count(changes.cohort_ids)
    async with outbox() as (connection, mail):
        recognition = await for_change(
            actor=actor,
            recognition_id=recognition_id,
            kind=kind,
            action=Action.EDIT,
            now=now,
            connection=connection,
        )
        values, problems = rules.step2_values(changes) if isinstance(changes, CeremonyChanges) else ({}, [])
        cohort_ids = await _step1_changes(actor, recognition, changes, values, problems, connection)
        if problems:
            raise DomainError(*problems)
        before = {column: getattr(recognition, column) for column in values}
        zone_before = recognition.time_zone
        recognition.update_from_dict(values)
        if recognition.status in rules.SCHEDULED:
            start_moved = "starts_at" in values and values["starts_at"] != before["starts_at"]
            if problems := rules.edit_problems(details_of(recognition), now, start_moved=start_moved):
                raise DomainError(*problems)
        diff = _diff(before, values, zones=(zone_before, recognition.time_zone))
        if cohort_ids is not None:
            await _select_cohorts(recognition, cohort_ids, connection)
            diff["cohortIds"] = cohort_ids
        if not diff:
            return recognition  # a save that changes nothing records nothing and mails no one
        recognition.updated_at = now
        await recognition.save(using_db=connection)
        event = await record_event(recognition, EventKind.UPDATED, actor, now, diff, connection)
        # Its provisional certificates print the ceremony's day: they move with it.
        scheduled = recognition.status in rules.SCHEDULED
        redated = await follow_ceremony(recognition, connection) if scheduled and "starts_at" in values else 0
        if scheduled and mail_config is not None:
            await notices.tell_changed(
                recognition,
                mail,
                before=before,
                reason=event.id,
                config=mail_config,
                now=now,
                redated=redated,
            )
    announce_change(recognition)
    return recognition


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
                    f"{cohort.name} ends on {written_day(cohort.ends_on)}, outside the date range "
                    f"({written_range(step.range_start, step.range_end)}).",
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


async def _select_cohorts(
    recognition: Recognition, cohort_ids: list[int], connection: BaseDBAsyncClient
) -> None:
    await RecognitionCohort.filter(recognition_id=recognition.id).using_db(connection).delete()
    await RecognitionCohort.bulk_create(
        [RecognitionCohort(recognition_id=recognition.id, cohort_id=cohort_id) for cohort_id in cohort_ids],
        using_db=connection,
    )


async def _selected_cohort_ids(recognition: Recognition, connection: BaseDBAsyncClient) -> list[int]:
    """The recognition's selected cohort ids, in id order, read in the change's transaction."""
    return (await cohort_ids_by_recognition_ids(ids=[recognition.id], connection=connection))[recognition.id]


def _range(step: Step1) -> dict[str, str]:
    return {"start": step.range_start.isoformat(), "end": step.range_end.isoformat()}


async def _step1_changes(
    actor: Actor,
    recognition: Recognition,
    changes: Step1Changes,
    values: dict[str, Any],
    problems: list[Problem],
    connection: BaseDBAsyncClient,
) -> list[int] | None:
    """Fold step-1 changes into ``values``; the new cohort ids when the selection changes (not
    merely its order)."""
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
    selected = await _selected_cohort_ids(recognition, connection)
    cohort_ids = selected if changes.cohort_ids is UNCHANGED else list(changes.cohort_ids or [])
    step = Step1(range_start=range_start, range_end=range_end, cohort_ids=cohort_ids)
    try:
        _, cohort_ids = await _checked_cohorts(actor=actor, step=step, partner_id=recognition.partner_id)
    except DomainError as error:
        problems += error.problems
        return None
    values.update(range_start=step.range_start, range_end=step.range_end)
    # A default name (nobody chose it; a page may send it back as it showed it) follows the range.
    name = values.get("name", recognition.name)
    if recognition.range_start is not None and recognition.range_end is not None:
        old = (recognition.kind, recognition.range_start, recognition.range_end)
        if name == recognition.name and rules.is_default_name(name, *old):
            values["name"] = rules.default_name(recognition.kind, step.range_start, step.range_end)
    return None if sorted(cohort_ids) == selected else cohort_ids


# ---------------------------------------------------------------- the event's record of a change


def _diff(
    before: dict[str, Any], after: dict[str, Any], *, zones: tuple[str | None, str | None]
) -> dict[str, Any]:
    """What changed, from and to; a start on either side in its own zone's offset (the zone before the
    change, and after it), as ``startsAt`` shows it: the database gives it back in UTC, whose date may
    be another day than the one entered."""
    zone_before, zone_after = zones
    return {
        rules.camel_case(column): {
            "from": _plain(before[column], zone_before),
            "to": _plain(value, zone_after),
        }
        for column, value in after.items()
        if before[column] != value
    }


def _plain(value: Any, zone: str | None) -> Any:
    if isinstance(value, datetime) and value.tzinfo is not None and zone:
        value = value.astimezone(ZoneInfo(zone))
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value
