from __future__ import annotations

from service.certificate_templates.models import (
    CertificateImage,
    CertificateTemplate,
    CertificateTemplateVersion,
)
from service.certificate_templates.reads import (
    current_versions_by_template_ids,
    images_by_ids,
    templates_by_ids,
)
from service.graphql.core.dataloader import ScopedLoader
from service.users.actor import Actor


class CertificateTemplateByIdLoader(ScopedLoader[int, CertificateTemplate]):
    async def fetch(self, actor: Actor, ids: list[int]) -> dict[int, CertificateTemplate]:
        return await templates_by_ids(actor=actor, ids=ids)


class CurrentVersionByTemplateIdLoader(ScopedLoader[int, CertificateTemplateVersion]):
    async def fetch(self, actor: Actor, ids: list[int]) -> dict[int, CertificateTemplateVersion]:
        return await current_versions_by_template_ids(actor=actor, ids=ids)


class CertificateImageByIdLoader(ScopedLoader[int, CertificateImage]):
    async def fetch(self, actor: Actor, ids: list[int]) -> dict[int, CertificateImage]:
        return await images_by_ids(actor=actor, ids=ids)
