from __future__ import annotations

from typing import Annotated

import strawberry
from graphql import GraphQLError

from service.credentials.config import credentials_config
from service.credentials.status import shared_status_lists
from service.credentials.verification import verify_credential
from service.graphql.core.context import Info
from service.graphql.credentials.types import CredentialVerification


@strawberry.type
class CredentialQueries:
    @strawberry.field(
        description="Public, no sign-in: check a credential (the `.jwt` of a certificate): its form, issuer, "
        "key, signature, dates and status, and which check failed. Limited per client address, with "
        "`verifyCertificate`. Pass it as a variable (a literal in the document is held to the usual text "
        "limit)."
    )
    async def verify_credential(
        self,
        info: Info,
        credential: Annotated[
            str,
            strawberry.argument(
                description="The credential: a compact JWS, the text of a certificate's `.jwt` file (up to "
                "20,000 characters in a variable)."
            ),
        ],
    ) -> CredentialVerification:
        context = info.context
        wait = await context.verify_limiter.attempt(context.client_address, context.clock.now())
        if wait is not None:
            raise GraphQLError(
                "Too many verifications from your address. Try again in a minute.",
                extensions={"code": "RATE_LIMITED", "retryAfter": wait},
            )
        config = credentials_config(context.settings)
        result = await verify_credential(
            credential, now=context.clock.now(), config=config, lists=shared_status_lists(config)
        )
        return CredentialVerification(result=result)
