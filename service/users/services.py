"""Users: sign-in and who they are."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from service.audit.services import record_sign_in_failure
from service.errors import DomainError, ErrorCode, NotFound
from service.prepared import Prepared
from service.users.actor import Actor
from service.users.models import Role, User
from service.users.tokens import InvalidToken, issue_token, read_token

_USER_WITH_PARTNER = Prepared(lambda user_id: User.filter(id=user_id).select_related("partner").first())


async def authenticate(*, token: str, secret: str, address: str, now: datetime) -> Actor:
    """The actor a bearer token stands for; the user's current role and partner win over the token's.

    A refused token is counted in the audit log under the client's address.
    """
    actor, _ = await sign_in(token=token, secret=secret, address=address, now=now)
    return actor


async def sign_in(*, token: str, secret: str, address: str, now: datetime) -> tuple[Actor, User]:
    """``authenticate``, with the user it read, and the user's partner (None for staff) read in the same
    statement: a request that shows the signed-in user and their partner (``viewer``) reads neither
    again."""
    try:
        claims = read_token(token, secret=secret)
        user = await _USER_WITH_PARTNER(user_id=claims.user_id)
        if user is None:
            raise InvalidToken("The token's user no longer exists.")
    except InvalidToken as error:
        await record_sign_in_failure(address=address, reason=str(error), now=now)
        raise
    return Actor(user_id=user.id, role=user.role, partner_id=user.partner_id), user


async def users_by_ids(*, actor: Actor, ids: Iterable[int]) -> dict[int, User]:
    """The users among ``ids`` the actor may see: their partner's users, or anyone for staff."""
    return {user.id: user for user in await actor.scope(User.filter(id__in=set(ids)))}


async def staff_actor(*, email: str | None) -> Actor:
    """A staff user acting at the command line: the one with this email, or the first staff user."""
    users = User.filter(role=Role.STAFF)
    user = await (users.filter(email=email) if email else users.order_by("id")).first()
    if user is None:
        raise DomainError.of(
            ErrorCode.NOT_FOUND,
            f"No staff user with the email {email!r}." if email else "There is no staff user yet.",
        )
    return Actor(user_id=user.id, role=user.role, partner_id=user.partner_id)


async def token_for_email(*, email: str, secret: str, days: int) -> str:
    """A token for the user with this email (for the `portal token` command)."""
    user = await User.get_or_none(email=email.strip().lower())
    if user is None:
        raise NotFound("User", field=("email",))
    return issue_token(user, secret=secret, lifetime=timedelta(days=days))
