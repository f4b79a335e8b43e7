"""Recognitions moving on: a ceremony submitted, its pins mailed or cancelled, a request finalized, a
draft deleted.

Every change locks its recognition, asks the rules whether this actor may do it now, and records
its event (and any audit entry and mail) in the same transaction, so a refusal leaves nothing
behind and a success is recorded whole. Live dashboards hear of it once it is committed.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from service.audit import services as audit
from service.audit.models import AuditAction
from service.errors import DomainError, ErrorCode, Forbidden, NotFound
from service.events import announce
from service.mail.compose import MailConfig
from service.mail.outbox import outbox
from service.recognitions import notices, rules
from service.recognitions.dashboard import shown_status, visible
from service.recognitions.models import (
    EventKind,
    Recognition,
    RecognitionEvent,
    RecognitionKind,
    StoredStatus,
)
from service.recognitions.rules import Action, CeremonyDetails
from service.text import clean_text
from service.users.actor import Actor


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
        recognition = await locked(actor, recognition_id, RecognitionKind.CEREMONY, connection)
        if recognition.status is not StoredStatus.DRAFT:
            return recognition
        problems = rules.submit_problems(details_of(recognition), now, with_notice=not override_notice)
        if problems:
            raise DomainError(*problems)
        # The status test in the UPDATE makes concurrent submits agree: exactly one wins.
        won = (
            await Recognition.filter(id=recognition.id, status=StoredStatus.DRAFT)
            .using_db(connection)
            .update(
                status=StoredStatus.SCHEDULED_PENDING,
                submitted_at=now,
                submitted_by_id=actor.user_id,
                updated_at=now,
            )
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
        await record_event(recognition, EventKind.SUBMITTED, actor, now, changes, connection)
        await notices.confirm_scheduled(recognition, mail, config=mail_config, now=now)
    announce_change(recognition)
    return recognition


async def mark_pins_mailed(
    *, actor: Actor, recognition_id: int, now: datetime, mail_config: MailConfig
) -> Recognition:
    """Staff: the pins are on their way (also after the day); SCHEDULED_PINS_MAILED, and the mailing
    contact and the requester are told."""
    async with outbox() as (connection, mail):
        recognition = await for_change(
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
        await record_event(
            recognition,
            EventKind.PINS_MAILED,
            actor,
            now,
            {"status": {"from": "SCHEDULED_PENDING", "to": "SCHEDULED_PINS_MAILED"}},
            connection,
        )
        await _audit(recognition, AuditAction.PINS_MARKED_MAILED, actor, now, {}, connection)
        await notices.tell_pins_mailed(recognition, mail, config=mail_config, now=now)
    announce_change(recognition)
    return recognition


async def cancel_ceremony(
    *, actor: Actor, recognition_id: int, reason: str | None, now: datetime, mail_config: MailConfig
) -> Recognition:
    """Call a scheduled ceremony off: the partner until its pins are mailed, staff always.

    CANCELLED, one event (its history stays), a cancelled invitation to the requester and, while the
    pins were still to come, word to the mailing contact.
    """
    cleaned, problems = clean_text(reason, field=("reason",), max_length=500, required=False)
    if problems:
        raise DomainError(*problems)
    async with outbox() as (connection, mail):
        recognition = await for_change(
            actor=actor,
            recognition_id=recognition_id,
            kind=RecognitionKind.CEREMONY,
            action=Action.CANCEL,
            now=now,
            connection=connection,
        )
        was = recognition.status
        recognition.status = StoredStatus.CANCELLED
        recognition.cancelled_at = now
        recognition.cancellation_reason = cleaned
        recognition.updated_at = now
        await recognition.save(using_db=connection)
        changes: dict[str, Any] = {"status": {"from": was.value, "to": "CANCELLED"}}
        if cleaned:
            changes["reason"] = cleaned
        await record_event(recognition, EventKind.CANCELLED, actor, now, changes, connection)
        await notices.tell_cancelled(
            recognition,
            mail,
            pins_were_pending=was is StoredStatus.SCHEDULED_PENDING,
            config=mail_config,
            now=now,
        )
    announce_change(recognition)
    return recognition


async def finalize_certificate_request(*, actor: Actor, recognition_id: int, now: datetime) -> Recognition:
    """A draft request becomes CREATED, and its certificates can be generated. Never expires."""
    async with in_transaction() as connection:
        recognition = await locked(actor, recognition_id, RecognitionKind.CERTIFICATE_REQUEST, connection)
        if recognition.status is StoredStatus.CREATED:
            return recognition
        won = (
            await Recognition.filter(id=recognition.id, status=StoredStatus.DRAFT)
            .using_db(connection)
            .update(status=StoredStatus.CREATED, finalized_at=now, updated_at=now)
        )
        await recognition.refresh_from_db(using_db=connection)
        if won:
            await record_event(
                recognition,
                EventKind.FINALIZED,
                actor,
                now,
                {"status": {"from": "DRAFT", "to": "CREATED"}},
                connection,
            )
    announce_change(recognition)
    return recognition


async def delete_recognition(*, actor: Actor, recognition_id: int, now: datetime) -> Recognition:
    """Delete a draft of either kind. It leaves the dashboard; its history stays."""
    async with in_transaction() as connection:
        recognition = await for_change(
            actor=actor,
            recognition_id=recognition_id,
            kind=None,
            action=Action.DELETE,
            now=now,
            connection=connection,
        )
        recognition.deleted_at = now
        recognition.updated_at = now
        await recognition.save(using_db=connection)
        await record_event(recognition, EventKind.DELETED, actor, now, {}, connection)
    announce_change(recognition)
    return recognition


# ---------------------------------------------------------------- shared by every change


async def locked(
    actor: Actor, recognition_id: int, kind: RecognitionKind | None, connection: BaseDBAsyncClient
) -> Recognition:
    """The recognition, locked for this transaction; NotFound when it is not of the ``kind`` asked."""
    recognition: Recognition | None = (
        await visible(actor).filter(id=recognition_id).using_db(connection).select_for_update().first()
    )
    if recognition is None or (kind is not None and recognition.kind is not kind):
        what = {None: "Recognition", RecognitionKind.CEREMONY: "Ceremony"}.get(kind, "Certificate request")
        raise NotFound(what, field=("id",))
    return recognition


async def for_change(
    *,
    actor: Actor,
    recognition_id: int,
    kind: RecognitionKind | None,
    action: Action,
    now: datetime,
    connection: BaseDBAsyncClient,
) -> Recognition:
    """Lock the recognition for a change the rules allow this actor now, or refuse."""
    recognition = await locked(actor, recognition_id, kind, connection)
    status = shown_status(recognition, now)
    pending = recognition.status is StoredStatus.SCHEDULED_PENDING
    if action in rules.available_actions(recognition.kind, status, actor, pins_pending=pending):
        return recognition
    shown = rules.described(recognition.kind, status)
    if action in rules.available_actions(recognition.kind, status, rules.ANY_STAFF, pins_pending=pending):
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
    Action.CANCEL: "cancelled",
}


def details_of(recognition: Recognition) -> CeremonyDetails:
    """Step 2 as the recognition holds it now, for the rules to check."""
    return CeremonyDetails(
        **{field.name: getattr(recognition, field.name) for field in fields(CeremonyDetails)}
    )


async def record_event(
    recognition: Recognition,
    kind: EventKind,
    actor: Actor,
    now: datetime,
    changes: dict[str, Any],
    connection: BaseDBAsyncClient,
) -> RecognitionEvent:
    """One entry of the recognition's history, in the change's transaction."""
    return await RecognitionEvent.create(
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


def announce_change(recognition: Recognition) -> None:
    """Tell live dashboards; they read the recognition's state from the database."""
    announce(partner_id=recognition.partner_id, recognition_id=recognition.id)
