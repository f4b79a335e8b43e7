"""Where the credentials' issuer lives: its addresses, its name, its keys."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from service.credentials.keys import KeyRing, current_keys
from service.settings import Settings

# Each status list holds this many certificates: the specification's minimum (131,072 entries), so
# one list says nothing about how many certificates there are (herd privacy).
LIST_ENTRIES = 131_072


@dataclass(frozen=True)
class CredentialsConfig:
    public_url: str
    certifier: str
    keys_dir: Path
    # Keys the recipient's salt (each credential's own, derived from the certificate's code).
    salt_secret: str = ""

    @property
    def base(self) -> str:
        return self.public_url.rstrip("/")

    @property
    def jwks_url(self) -> str:
        return f"{self.base}/.well-known/jwks.json"

    @property
    def certifier_id(self) -> str:
        return f"{self.base}/credentials/issuer"

    def partner_issuer_id(self, partner_id: int) -> str:
        return f"{self.base}/credentials/issuers/{partner_id}"

    @property
    def partner_issuer_prefix(self) -> str:
        return f"{self.base}/credentials/issuers/"

    def status_list_url(self, list_number: int) -> str:
        return f"{self.base}/credentials/status/{list_number}"

    def keys(self) -> KeyRing:
        """As last read, unless the folder changed since (another process may have rotated them)."""
        return current_keys(self.keys_dir)


def credentials_config(settings: Settings) -> CredentialsConfig:
    return CredentialsConfig(
        public_url=settings.public_url,
        certifier=settings.certifier_name,
        keys_dir=settings.resolved_credential_keys_dir,
        salt_secret=settings.signing_secret(),
    )
