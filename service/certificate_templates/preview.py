"""A template's preview: one page per sample name in one of its versions, so a design is checked on
hard names before anyone's certificate uses it. Nothing is stored: the page is drawn when its
(short-lived, signed) link is opened."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime

from service.audit import services as audit
from service.audit.models import AuditAction
from service.certificate_templates.models import CertificateTemplateVersion
from service.certificate_templates.printing import brandings
from service.certificate_templates.services import visible_template
from service.certificates.printing import name_problem
from service.certificates.rules import name_language
from service.cohorts.models import CertificateType
from service.errors import DomainError, ErrorCode, Problem
from service.partners.models import Partner
from service.pdf import CertificateText, render_certificates
from service.text import clean_text
from service.users.actor import Actor

# A long Latin name, a CJK name, a right-to-left name and a name with combining marks (Yoruba tone
# marks on dotted vowels have no precomposed forms).
DEFAULT_SAMPLES = (
    "Maximiliana Alexandrina Konstantinopoulou-Vanderbilt de la Cruz y Montenegro",
    "欧阳娜娜",
    "محمد بن عبد الله الهاشمي",
    "Ọ̀ṣọ́ Adébáyọ̀",
)
MAX_SAMPLES = 8
MAX_SAMPLE_LENGTH = 200
SAMPLE_CODE = "0000-0000-000"


@dataclass(frozen=True)
class Preview:
    template_id: int
    version: int
    names: tuple[str, ...]


async def check_preview(
    *, actor: Actor, template_id: int, sample_names: list[str] | None, now: datetime
) -> Preview:
    """The preview of the template's current version with these names (or the default samples), or
    every problem with the names. A preview given is audited, as every template action is: previews
    are cheap to ask for again and again, so an actor's previews of a template within an hour are
    one entry, counted (with the first one's version and how many names: the names themselves may
    be people's, and are not kept)."""
    template = await visible_template(actor, template_id, field=("templateId",))
    given = DEFAULT_SAMPLES if sample_names is None else tuple(sample_names)
    problems: list[Problem] = []
    if not 1 <= len(given) <= MAX_SAMPLES:
        problems.append(
            Problem(ErrorCode.TOO_LONG, f"Between 1 and {MAX_SAMPLES} sample names.", ("sampleNames",))
        )
    names: list[str] = []
    partner = await Partner.get(id=template.partner_id)
    for index, name in enumerate(given[:MAX_SAMPLES]):
        where = ("sampleNames", str(index))
        text, found = clean_text(name, field=where, max_length=MAX_SAMPLE_LENGTH, required=True)
        if text is not None and not found:
            language = name_language(text, course_taker_locale=None, partner_locale=partner.default_locale)
            if (problem := name_problem(text, language=language, field=where)) is not None:
                found = [problem]
        problems += found
        names.append(text or "")
    if problems:
        raise DomainError(*problems)
    await audit.record_counted(
        action=AuditAction.TEMPLATE_PREVIEWED,
        counted_by=(actor.user_id, template.id),
        now=now,
        actor_id=actor.user_id,
        partner_id=template.partner_id,
        subject=f"CertificateTemplate:{template.id}",
        details={"version": template.current_version, "samples": len(names)},
    )
    return Preview(template_id=template.id, version=template.current_version, names=tuple(names))


async def preview_pdf(*, actor: Actor, preview: Preview, public_url: str, today: date) -> bytes:
    """The preview's pages, each as a certificate of the template's version would print."""
    template = await visible_template(actor, preview.template_id)
    version = await CertificateTemplateVersion.get(template_id=template.id, number=preview.version)
    branding = (await brandings([version.id]))[version.id]
    partner = await Partner.get(id=template.partner_id)
    type_name = "Certificate in Effective College Instruction"
    if template.certificate_type_id is not None:
        type_name = (await CertificateType.get(id=template.certificate_type_id)).name
    texts = [
        CertificateText(
            partner_name=partner.name,
            recipient_name=name,
            certificate_type=type_name,
            program="Effective Teaching Practices (sample)",
            cohort="Sample cohort",
            awarded_on=today,
            code=SAMPLE_CODE,
            verification_url=f"{public_url.rstrip('/')}/verify/{SAMPLE_CODE}",
            language=name_language(name, course_taker_locale=None, partner_locale=partner.default_locale),
        )
        for name in preview.names
    ]
    return await asyncio.to_thread(render_certificates, texts, [branding] * len(texts))
