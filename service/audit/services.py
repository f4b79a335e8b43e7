"""The audit log: security-relevant actions recorded with who and when, listed for staff."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q

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
    key = f"{AuditAction.SIGN_IN_FAILED}|{address}|{reason}|{now:%Y-%m-%dT%H}"

    async def count_one_more() -> int:
        return await AuditEntry.filter(aggregate_key=key).update(count=F("count") + 1, last_occurred_at=now)

    if await count_one_more():
        return
    try:
        await AuditEntry.create(
            action=AuditAction.SIGN_IN_FAILED,
            subject="",
            address=address,
            details={"reason": reason},
            occurred_at=now,
            last_occurred_at=now,
            aggregate_key=key,
        )
    except IntegrityError:  # another request created it first: count on it
        await count_one_more()


async def audit_page(
    *,
    actor: Actor,
    first: int,
    before: tuple[datetime, int] | None,
    actions: Sequence[AuditAction] = (),
    partner_id: int | None = None,
) -> Page[AuditEntry]:
    """Staff: a page of entries newest first (by their first occurrence, which never moves), not
    counted; ``before`` is the keyset of the last one shown."""
    if not actor.is_staff:
        raise Forbidden("Only staff may read the audit log.")
    query = AuditEntry.all()
    if actions:
        query = query.filter(action__in=list(actions))
    if partner_id is not None:
        query = query.filter(partner_id=partner_id)
    if before is not None:
        at, entry_id = before
        query = query.filter(Q(occurred_at__lt=at) | Q(occurred_at=at, id__lt=entry_id))
    return Page.of(await query.order_by("-occurred_at", "-id").limit(first + 1), first)
