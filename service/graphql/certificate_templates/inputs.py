from __future__ import annotations

import strawberry
from strawberry import relay
from strawberry.file_uploads import Upload

from service.certificate_templates.rules import DesignInput, SignatoryInput
from service.graphql.core.node import key_of


@strawberry.input(
    description="The fixed words, each up to 120 characters. In `wording`, each one left out is the "
    "default's and blank is REQUIRED; in `secondLanguage`, each one left out or blank is not printed."
)
class CertificateWordingInput:
    presented: str | None = strawberry.field(
        default=None, description='Above the name; "This certifies that" by default.'
    )
    completed: str | None = strawberry.field(
        default=None, description='Between the name and the program; "has completed the program" by default.'
    )
    completed_provisional: str | None = strawberry.field(
        default=None,
        description='Instead of `completed` on a provisional certificate; "is completing the program" by '
        "default.",
    )
    date_caption: str | None = strawberry.field(
        default=None, description='Under the date; "Date awarded" by default.'
    )
    signature_caption: str | None = strawberry.field(
        default=None,
        description='Under the signature line when there is no signatory; "Authorized signature" by default.',
    )
    verify: str | None = strawberry.field(
        default=None, description='Before the verification address; "Scan the code or visit" by default.'
    )

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


@strawberry.input(description="A signature line.")
class CertificateSignatoryInput:
    name: str = strawberry.field(description="Who signs: up to 100 characters, not blank.")
    title: str = strawberry.field(default="", description="Their title, up to 100 characters; optional.")
    signature_image_id: relay.GlobalID | None = strawberry.field(
        default=None, description="An image uploaded with `certificateImageUpload`."
    )


@strawberry.input(
    description="A whole design; what is left out is the default design's (not the previous version's). "
    "Logos and colours are staff's: a partner admin sends them as they are (FORBIDDEN at each one changed)."
)
class CertificateDesignInput:
    wording: CertificateWordingInput | None = strawberry.field(
        default=None, description="The fixed words; left out, the default's."
    )
    second_language: CertificateWordingInput | None = strawberry.field(
        default=None,
        description="The same words in a second language, each a smaller line under the first; left out or "
        "null: none.",
    )
    primary_color: str | None = strawberry.field(
        default=None, description="#RRGGBB, 4.5:1 on white at least."
    )
    accent_color: str | None = strawberry.field(default=None, description="#RRGGBB, 3:1 on white at least.")
    partner_logo_id: relay.GlobalID | None = strawberry.field(
        default=None,
        description="An image uploaded for this partner (`certificateImageUpload`); left out or null: none.",
    )
    organisation_logo_id: relay.GlobalID | None = strawberry.field(
        default=None,
        description="The certifying organisation's logo, an image uploaded for this partner; left out or "
        "null: none.",
    )
    signatories: list[CertificateSignatoryInput] = strawberry.field(
        default_factory=list,
        description="At most three (TOO_MANY_SIGNATORIES), in the order printed; none: one line captioned "
        "`signatureCaption`.",
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


@strawberry.input(description="A logo or signature image, sent as a part of a GraphQL multipart request.")
class CertificateImageUploadInput:
    partner_id: relay.GlobalID = strawberry.field(description="The partner whose templates may use it.")
    file: Upload = strawberry.field(description="A PNG or JPEG, at most 2 MB and 4 million pixels.")


@strawberry.input(description="Staff: a new template for a partner.")
class CertificateTemplateCreateInput:
    partner_id: relay.GlobalID = strawberry.field(description="The partner whose certificates it will print.")
    certificate_type_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Only this certificate type; left out: every type."
    )
    name: str = strawberry.field(description="Up to 100 characters, not blank; not printed.")
    design: CertificateDesignInput = strawberry.field(description="Its first version's design.")


@strawberry.input(description="A new version of a template.")
class CertificateTemplateEditInput:
    id: relay.GlobalID = strawberry.field(description="The template's id.")
    name: str | None = strawberry.field(default=None, description="Staff only; left out: unchanged.")
    design: CertificateDesignInput = strawberry.field(description="The new version's whole design.")


@strawberry.input(description="Staff: make a template print the partner's next certificates, or stop.")
class CertificateTemplateAssignInput:
    id: relay.GlobalID = strawberry.field(description="The template's id.")
    assigned: bool = strawberry.field(
        description="True: it prints the partner's next certificates (of its type), replacing the one "
        "assigned before; false: it stops doing so."
    )


def _image(global_id: relay.GlobalID | None) -> int | None:
    return None if global_id is None else key_of(global_id, "CertificateImage")
