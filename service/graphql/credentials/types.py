from __future__ import annotations

import json
from enum import Enum
from typing import Annotated

import strawberry

from service.certificates.models import Certificate as CertificateModel
from service.credentials.issuing import IssuedCredential
from service.credentials.status import CredentialState as CredentialStateValue
from service.credentials.verification import Check
from service.credentials.verification import CredentialVerification as Result
from service.graphql.core.context import Info
from service.graphql.credentials.dataloaders import CredentialLoader
from service.web.credentials import credential_link

CredentialCheck = strawberry.enum(
    Check,
    name="CredentialCheck",
    description="The checks of a credential, in the order they run: FORMAT (a compact JWS signed with "
    "EdDSA), ISSUER (one of this service's issuers), KEY (a key published in /.well-known/jwks.json), "
    "SIGNATURE, CONTENT (an Open Badges 3.0 credential of this service), NOT_YET_VALID (validFrom), "
    "EXPIRED (validUntil), STATUS (the status list: suspended, revoked or replaced).",
)

CredentialState = strawberry.enum(
    CredentialStateValue,
    name="CredentialState",
    description="A credential's entry in the status list: VALID; SUSPENDED (a provisional certificate, "
    "pending completion); REVOKED (revoked, or voided); REPLACED (re-issued).",
)


@strawberry.enum(
    description="A credential's file: JWT (the signed `vc+jwt`, what verifiers check) or JSON (the same "
    "JWT enveloped in a JSON `EnvelopedVerifiableCredential`)."
)
class CredentialFileFormat(Enum):
    JWT = "jwt"
    JSON = "json"


@strawberry.type(
    description="A certificate as an Open Badges 3.0 credential (W3C Verifiable Credential 2.0), "
    "secured with VC-JOSE (a `vc+jwt`, EdDSA) by the keys published at /.well-known/jwks.json."
)
class CertificateCredential:
    certificate: strawberry.Private[CertificateModel]
    issued: strawberry.Private[IssuedCredential]

    @strawberry.field(description="The signed credential: a compact JWS whose payload is the credential.")
    def jwt(self) -> str:
        return self.issued.jwt

    @strawberry.field(description="The credential itself (the JWT's payload), as JSON text.")
    def json(self) -> str:
        return json.dumps(self.issued.document, ensure_ascii=False, indent=2)

    @strawberry.field(
        description="A signed link to the credential's file, for a plain <a href>; it expires in minutes."
    )
    async def download_url(
        self,
        info: Info,
        file_format: Annotated[CredentialFileFormat, strawberry.argument(name="format")] = (
            CredentialFileFormat.JWT
        ),
    ) -> str:
        context = info.context
        actor = await context.actor()
        return credential_link(
            settings=context.settings,
            certificate=self.certificate,
            user_id=actor.user_id,
            now=context.clock.now(),
            suffix=file_format.value,
        )

    @strawberry.field(
        description='LinkedIn\'s "Add to profile" link for this certification (name, organisation, issue '
        "date, certificate URL, credential id); null until the certificate is valid."
    )
    def linked_in_url(self) -> str | None:
        return self.issued.linkedin_url


async def certificate_credential(info: Info, certificate: CertificateModel) -> CertificateCredential | None:
    issued = await CredentialLoader.for_context(info.context).load(certificate)
    return None if issued is None else CertificateCredential(certificate=certificate, issued=issued)


@strawberry.type(description="What checking a credential found: valid, or the first check that failed.")
class CredentialVerification:
    result: strawberry.Private[Result]

    @strawberry.field
    def valid(self) -> bool:
        return self.result.valid

    @strawberry.field(description="The check that failed; null when the credential is valid.")
    def failed_check(self) -> CredentialCheck | None:  # type: ignore[valid-type]
        return self.result.failed

    @strawberry.field(description="The checks passed, in order.")
    def passed_checks(self) -> list[CredentialCheck]:  # type: ignore[valid-type]
        return list(self.result.passed)

    @strawberry.field
    def message(self) -> str:
        return self.result.message

    @strawberry.field(description="The status list's entry, once the status was read.")
    def state(self) -> CredentialState | None:  # type: ignore[valid-type]
        return self.result.state

    @strawberry.field(description="The certificate's code, once the signature holds.")
    def code(self) -> str | None:
        return self.result.code
