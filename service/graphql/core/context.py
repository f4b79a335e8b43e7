"""What every resolver gets: the request, the signed-in actor (checked once) and per-request loaders.

Resolvers take ``info: Info`` and read ``info.context``; each loader keeps itself in ``loaders``
(see ``ScopedLoader.for_context``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import strawberry
from graphql import GraphQLError
from starlette.requests import Request
from starlette.websockets import WebSocket

from service.audit.services import record_sign_in_failure
from service.clock import Clock
from service.settings import Settings
from service.users.actor import Actor
from service.users.models import User
from service.users.services import sign_in
from service.users.tokens import InvalidToken
from service.web.ratelimit import RateLimiter

UNAUTHENTICATED = "UNAUTHENTICATED"


class Unauthenticated(GraphQLError):
    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"code": UNAUTHENTICATED})


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` value; None when there is none."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("The Authorization header must be 'Bearer <token>'.")
    return token.strip()


@dataclass
class Context:
    request: Request | WebSocket
    settings: Settings
    authorization: str | None
    request_id: str
    clock: Clock
    verify_limiter: RateLimiter
    connection_params: dict[str, Any] | None = None
    loaders: dict[type, Any] = field(default_factory=dict, init=False, repr=False)
    """This request's DataLoaders, one per loader class, made on first use."""
    _actor: Actor | None = field(default=None, init=False)
    _user: User | None = field(default=None, init=False, repr=False)

    @classmethod
    def signed_in(
        cls,
        actor: Actor,
        *,
        request: Request | WebSocket,
        settings: Settings,
        request_id: str,
        clock: Clock,
        verify_limiter: RateLimiter,
    ) -> Context:
        """A context whose actor has signed in already, elsewhere: a shared subscription's execution,
        whose subscribers each signed in on their own socket. No sign-in header of its own."""
        context = cls(
            request=request,
            settings=settings,
            authorization=None,
            request_id=request_id,
            clock=clock,
            verify_limiter=verify_limiter,
        )
        context._actor = actor
        return context

    async def actor(self) -> Actor:
        """The signed-in actor; an UNAUTHENTICATED error when the token is missing or not valid."""
        if self._actor is None:
            try:
                token = bearer_token(self.authorization)
            except Unauthenticated as error:  # a header that is not a bearer token is a failed sign-in too
                await record_sign_in_failure(
                    address=self.client_address, reason=error.message, now=self.clock.now()
                )
                raise
            if token is None:
                raise Unauthenticated("Sign in: send 'Authorization: Bearer <token>'.")
            try:
                self._actor, self._user = await sign_in(
                    token=token,
                    secret=self.settings.signing_secret(),
                    address=self.client_address,
                    now=self.clock.now(),
                )
            except InvalidToken as error:
                raise Unauthenticated(str(error)) from error
        return self._actor

    @property
    def known_actor(self) -> Actor | None:
        """The signed-in actor when ``actor()`` has found it already in this request, else None."""
        return self._actor

    @property
    def signed_in_user(self) -> User | None:
        """The user ``actor()`` read to sign in (as it was then), else None: the users loader starts
        with it, so showing the signed-in user costs no second read of the same row."""
        return self._user

    @property
    def client_address(self) -> str:
        return self.request.client.host if self.request.client else "unknown"


Info = strawberry.Info[Context, None]
"""What resolvers take: ``info.context`` is the request's Context."""
