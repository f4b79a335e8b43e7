from __future__ import annotations

from service.certificates.models import Certificate
from service.credentials.config import credentials_config
from service.credentials.issuing import IssuedCredential, credentials_for
from service.graphql.core.dataloader import ScopedLoader
from service.users.actor import Actor


class CredentialLoader(ScopedLoader[Certificate, IssuedCredential]):
    """The credentials of the certificates a request shows (each already the actor's to see): one
    batch for a whole page."""

    async def fetch(self, actor: Actor, ids: list[Certificate]) -> dict[Certificate, IssuedCredential]:
        issued = await credentials_for(ids, credentials_config(self._context.settings))
        return {certificate: issued[certificate.id] for certificate in ids if certificate.id in issued}
