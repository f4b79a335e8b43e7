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
from service.graphql.core.enums import described_enum
from service.graphql.credentials.dataloaders import CredentialLoader
from service.web.credentials import credential_link

CredentialCheck = described_enum(
    Check,
    name="CredentialCheck",
    description="The checks of a credential, in the order they run; the first that fails ends the check.",
    meanings={
        Check.FORMAT: "A compact JWS signed with EdDSA.",
        Check.ISSUER: "Issued by one of this service's issuers.",
        Check.KEY: "Signed with a key published in /.well-known/jwks.json.",
        Check.SIGNATURE: "The signature holds.",
        Check.CONTENT: "An Open Badges 3.0 credential of this service.",
        Check.NOT_YET_VALID: "Its `validFrom` has come (fails while it is in the future).",
        Check.EXPIRED: "Its `validUntil`, if any, has not passed (fails once it has).",
        Check.STATUS: "The status list says valid (fails when suspended, revoked or replaced; `state` says "
        "which).",
    },
)

CredentialState = described_enum(
    CredentialStateValue,
    name="CredentialState",
    description="A credential's entry in the status list.",
    meanings={
        CredentialStateValue.VALID: "Valid.",
        CredentialStateValue.SUSPENDED: "Suspended: a provisional certificate, pending completion.",
        CredentialStateValue.REVOKED: "Revoked: the certificate was revoked, or voided.",
        CredentialStateValue.REPLACED: "Replaced: the certificate was re-issued.",
    },
)


class CredentialFileFormat(Enum):
    JWT = "jwt"
    JSON = "json"


described_enum(
    CredentialFileFormat,
    name="CredentialFileFormat",
    description="A credential's file.",
    meanings={
        CredentialFileFormat.JWT: "The signed `vc+jwt` (a `.jwt` file), what verifiers check.",
        CredentialFileFormat.JSON: "The same JWT in a JSON `EnvelopedVerifiableCredential` (a `.json` file).",
    },
)


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
        description="A signed link to the credential's file, for a plain <a href>; it expires in 15 minutes."
    )
    async def download_url(
        self,
        info: Info,
        file_format: Annotated[
            CredentialFileFormat,
            strawberry.argument(name="format", description="The file's format; JWT by default."),
        ] = CredentialFileFormat.JWT,
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

    @strawberry.field(description="Whether every check passed.")
    def valid(self) -> bool:
        return self.result.valid

    @strawberry.field(description="The check that failed; null when the credential is valid.")
    def failed_check(self) -> CredentialCheck | None:  # type: ignore[valid-type]
        return self.result.failed

    @strawberry.field(description="The checks passed, in order.")
    def passed_checks(self) -> list[CredentialCheck]:  # type: ignore[valid-type]
        return list(self.result.passed)

    @strawberry.field(description="What was found, in words to show as they are.")
    def message(self) -> str:
        return self.result.message

    @strawberry.field(description="The status list's entry, once the status was read.")
    def state(self) -> CredentialState | None:  # type: ignore[valid-type]
        return self.result.state

    @strawberry.field(description="The certificate's code, once the signature holds.")
    def code(self) -> str | None:
        return self.result.code
