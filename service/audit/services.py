"""The audit log: security-relevant actions recorded with who and when, listed for staff."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from service.audit.models import AuditAction, AuditEntry
from service.errors import Forbidden
from service.paging import Page
from service.users.actor import Actor

MAX_ADDRESS_LENGTH = 64


async def record(
    *,
    action: AuditAction,
    now: datetime,
    actor_id: int | None,
    partner_id: int | None,
    subject: str,
    details: dict[str, Any] | None = None,
    address: str = "",
    connection: BaseDBAsyncClient | None = None,
) -> AuditEntry:
    """One entry; pass the change's ``connection`` so the entry stands or falls with it."""
    return await AuditEntry.create(
        action=action,
        actor_id=actor_id,
        partner_id=partner_id,
        subject=subject,
        details=details or {},
        address=address[:MAX_ADDRESS_LENGTH],
        occurred_at=now,
        last_occurred_at=now,
        using_db=connection,
    )


async def record_action(
    *,
    action: AuditAction,
    actor: Actor,
    partner_id: int,
    subject: str,
    now: datetime,
    details: dict[str, Any] | None = None,
    connection: BaseDBAsyncClient | None = None,
) -> AuditEntry:
    """A signed-in actor's action on one of a partner's records (``subject``, as ``Type:id``); pass
    the change's ``connection`` so the entry stands or falls with it."""
    return await record(
        action=action,
        now=now,
        actor_id=actor.user_id,
        partner_id=partner_id,
        subject=subject,
        details=details,
        connection=connection,
    )


async def record_sign_in_failure(*, address: str, reason: str, now: datetime) -> None:
    """Count a refused token: one entry per address, reason and hour, so a flood stays one row."""
    address = address[:MAX_ADDRESS_LENGTH]
    await record_counted(
        action=AuditAction.SIGN_IN_FAILED,
        counted_by=(address, reason),
        now=now,
        address=address,
        details={"reason": reason},
    )


async def record_counted(
    *,
    action: AuditAction,
    counted_by: tuple[object, ...],
    now: datetime,
    actor_id: int | None = None,
    partner_id: int | None = None,
    subject: str = "",
    details: dict[str, Any] | None = None,
    address: str = "",
) -> None:
    """Count an occurrence: one entry per action, ``counted_by`` values and hour, made by the first
    (with its details) and counted up by the others (``count``, ``last_occurred_at``), so a flood
    stays one row. In a transaction of its own (a savepoint inside the caller's): when two count at
    once, the unique key lets one create the entry and the other then counts on it."""
    key = "|".join([action.value, *map(str, counted_by), f"{now:%Y-%m-%dT%H}"])
    async with in_transaction() as connection:
        counted = AuditEntry.filter(aggregate_key=key).using_db(connection)
        if await counted.update(count=F("count") + 1, last_occurred_at=now):
            return
        try:
            async with in_transaction() as savepoint:  # a refused insert leaves the transaction usable
                await AuditEntry.create(
                    action=action,
                    actor_id=actor_id,
                    partner_id=partner_id,
                    subject=subject,
                    address=address[:MAX_ADDRESS_LENGTH],
                    details=details or {},
                    occurred_at=now,
                    last_occurred_at=now,
                    aggregate_key=key,
                    using_db=savepoint,
                )
        except IntegrityError:  # another request created it first: count on it
            await counted.update(count=F("count") + 1, last_occurred_at=now)


async def audit_page(
    *,
    actor: Actor,
    first: int,
    before: tuple[datetime, int] | None,
    actions: Sequence[AuditAction] | None = None,
    partner_id: int | None = None,
) -> Page[AuditEntry]:
    """Staff: a page of entries newest first (by their first occurrence, which never moves), not
    counted; ``before`` is the keyset of the last one shown. ``actions``: None, every action; an
    empty list, none."""
    if not actor.is_staff:
        raise Forbidden("Only staff may read the audit log.")
    query = AuditEntry.all()
    if actions is not None:
        query = query.filter(action__in=list(actions))
    if partner_id is not None:
        query = query.filter(partner_id=partner_id)
    if before is not None:
        at, entry_id = before
        query = query.filter(Q(occurred_at__lt=at) | Q(occurred_at=at, id__lt=entry_id))
    return Page.of(await query.order_by("-occurred_at", "-id").limit(first + 1), first)
