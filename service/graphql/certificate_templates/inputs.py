from __future__ import annotations

import strawberry
from strawberry import relay
from strawberry.file_uploads import Upload

from service.certificate_templates.rules import DesignInput, SignatoryInput
from service.graphql.core.node import key_of


@strawberry.input(description="The fixed words; each one left out is the default's.")
class CertificateWordingInput:
    presented: str | None = None
    completed: str | None = None
    completed_provisional: str | None = None
    date_caption: str | None = None
    signature_caption: str | None = None
    verify: str | None = None

    def given(self) -> dict[str, str]:
        values = {
            "presented": self.presented,
            "completed": self.completed,
            "completed_provisional": self.completed_provisional,
            "date_caption": self.date_caption,
            "signature_caption": self.signature_caption,
            "verify": self.verify,
        }
        return {key: value for key, value in values.items() if value is not None}


@strawberry.input
class CertificateSignatoryInput:
    name: str
    title: str = ""
    signature_image_id: relay.GlobalID | None = strawberry.field(
        default=None, description="An image uploaded with `certificateImageUpload`."
    )


@strawberry.input(description="A whole design; what is left out is the default design's.")
class CertificateDesignInput:
    wording: CertificateWordingInput | None = None
    second_language: CertificateWordingInput | None = None
    primary_color: str | None = strawberry.field(
        default=None, description="#RRGGBB, 4.5:1 on white at least."
    )
    accent_color: str | None = strawberry.field(default=None, description="#RRGGBB, 3:1 on white at least.")
    partner_logo_id: relay.GlobalID | None = None
    organisation_logo_id: relay.GlobalID | None = None
    signatories: list[CertificateSignatoryInput] = strawberry.field(
        default_factory=list, description="At most three."
    )

    def to_domain(self) -> DesignInput:
        return DesignInput(
            wording=self.wording.given() if self.wording else {},
            second_language=self.second_language.given() if self.second_language else None,
            primary_color=self.primary_color,
            accent_color=self.accent_color,
            partner_logo_id=_image(self.partner_logo_id),
            organisation_logo_id=_image(self.organisation_logo_id),
            signatories=tuple(
                SignatoryInput(item.name, item.title, _image(item.signature_image_id))
                for item in self.signatories
            ),
        )


@strawberry.input
class CertificateImageUploadInput:
    partner_id: relay.GlobalID
    file: Upload = strawberry.field(description="A PNG or JPEG, at most 2 MB and 4 million pixels.")


@strawberry.input
class CertificateTemplateCreateInput:
    partner_id: relay.GlobalID
    certificate_type_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Only this certificate type; left out: every type."
    )
    name: str
    design: CertificateDesignInput


@strawberry.input
class CertificateTemplateEditInput:
    id: relay.GlobalID
    name: str | None = strawberry.field(default=None, description="Staff only; left out: unchanged.")
    design: CertificateDesignInput


@strawberry.input
class CertificateTemplateAssignInput:
    id: relay.GlobalID
    assigned: bool = strawberry.field(
        description="True: it prints the partner's next certificates (of its type), replacing the one "
        "assigned before; false: it stops doing so."
    )


def _image(global_id: relay.GlobalID | None) -> int | None:
    return None if global_id is None else key_of(global_id, "CertificateImage")
