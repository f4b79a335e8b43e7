from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import strawberry
from strawberry import relay

from service.graphql.cohorts.inputs import DateRangeInput
from service.graphql.core.context import Context, Info
from service.graphql.core.node import key_of
from service.graphql.core.payloads import ERRORS, UserError, attempt
from service.graphql.recognitions.inputs import (
    CeremonyCancelInput,
    CeremonyCreateInput,
    CeremonyMarkPinsMailedInput,
    CeremonySubmitInput,
    CeremonyUpdateInput,
    CertificateRequestCreateInput,
    CertificateRequestFinalizeInput,
    CertificateRequestUpdateInput,
    RecognitionDeleteInput,
    recognition_key,
)
from service.graphql.recognitions.types import Ceremony, CertificateRequest
from service.recognitions import commands, transitions, wizard
from service.recognitions.commands import UNCHANGED
from service.recognitions.models import Recognition as RecognitionModel
from service.recognitions.models import RecognitionKind


@strawberry.type(description="What a ceremony mutation did.")
class CeremonyPayload:
    ceremony: Ceremony | None = strawberry.field(description="The ceremony as it is now; null when refused.")
    errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type(description="What a certificate-request mutation did.")
class CertificateRequestPayload:
    certificate_request: CertificateRequest | None = strawberry.field(
        description="The certificate request as it is now; null when refused."
    )
    errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type(description="What `recognitionDelete` did.")
class RecognitionDeletePayload:
    deleted_id: relay.GlobalID | None = strawberry.field(
        description="The id of the deleted draft; null when refused."
    )
    errors: list[UserError] = strawberry.field(description=ERRORS)


def _ceremony(result: tuple[RecognitionModel | None, list[UserError]]) -> CeremonyPayload:
    model, errors = result
    return CeremonyPayload(ceremony=None if model is None else Ceremony.from_model(model), errors=errors)


def _request(result: tuple[RecognitionModel | None, list[UserError]]) -> CertificateRequestPayload:
    model, errors = result
    return CertificateRequestPayload(
        certificate_request=None if model is None else CertificateRequest.from_model(model), errors=errors
    )


def _cohort_keys(ids: Sequence[relay.GlobalID] | None) -> list[int]:
    return [key_of(cohort_id, "Cohort") for cohort_id in ids or []]


def _step1(date_range: DateRangeInput, cohort_ids: list[relay.GlobalID], name: str | None) -> commands.Step1:
    return commands.Step1(
        range_start=date_range.start, range_end=date_range.end, cohort_ids=_cohort_keys(cohort_ids), name=name
    )


def _range_changes(date_range: DateRangeInput | None, cohort_ids: Any, name: Any) -> dict[str, Any]:
    """Step-1 changes; UNSET (left out) stays UNCHANGED, null reaches the service as None."""
    changes: dict[str, Any] = {}
    if name is not strawberry.UNSET:
        changes["name"] = name
    if date_range is not strawberry.UNSET:
        changes["range_start"] = None if date_range is None else date_range.start
        changes["range_end"] = None if date_range is None else date_range.end
    if cohort_ids is not strawberry.UNSET:
        changes["cohort_ids"] = None if cohort_ids is None else _cohort_keys(cohort_ids)
    return changes


def _given(value: Any, convert: Any = lambda value: value) -> Any:
    if value is strawberry.UNSET:
        return UNCHANGED
    return None if value is None else convert(value)


def _ceremony_changes(input: CeremonyUpdateInput) -> commands.CeremonyChanges:
    return commands.CeremonyChanges(
        **_range_changes(input.date_range, input.cohort_ids, input.name),
        start=_given(
            input.start,
            lambda start: commands.CeremonyStart(local=start.date_time, time_zone=start.time_zone),
        ),
        format=_given(input.format),
        representative_requested=_given(input.representative_requested),
        meeting_url=_given(input.meeting_url),
        mailing_contact=_given(
            input.mailing_contact,
            lambda contact: commands.MailingContact(
                name=contact.name, email=contact.email, phone=contact.phone
            ),
        ),
        postal_address=_given(
            input.postal_address,
            lambda address: commands.PostalAddress(
                line1=address.line1,
                line2=address.line2,
                city=address.city,
                region=address.region,
                postal_code=address.postal_code,
                country=address.country,
            ),
        ),
    )


async def _now_and_actor(info: Info) -> tuple[Context, Any]:
    context = info.context
    return context, await context.actor()


@strawberry.type
class RecognitionMutations:
    @strawberry.mutation(description="Ceremony wizard, step 1: save the date range and cohorts as a draft.")
    async def ceremony_create(self, info: Info, input: CeremonyCreateInput) -> CeremonyPayload:
        context, actor = await _now_and_actor(info)
        return _ceremony(
            await attempt(
                wizard.create_recognition(
                    actor=actor,
                    kind=RecognitionKind.CEREMONY,
                    step=_step1(input.date_range, input.cohort_ids, input.name),
                    now=context.clock.now(),
                )
            )
        )

    @strawberry.mutation(description="Save either step of the ceremony wizard; a draft may be incomplete.")
    async def ceremony_update(self, info: Info, input: CeremonyUpdateInput) -> CeremonyPayload:
        context, actor = await _now_and_actor(info)
        return _ceremony(
            await attempt(
                wizard.update_ceremony(
                    actor=actor,
                    recognition_id=key_of(input.id, "Ceremony"),
                    changes=_ceremony_changes(input),
                    now=context.clock.now(),
                    mail_config=context.settings.mail_config(),
                )
            )
        )

    @strawberry.mutation(
        description="Schedule a complete draft: the confirmation email to who submits it, and what to expect "
        "to the pins' mailing contact."
    )
    async def ceremony_submit(self, info: Info, input: CeremonySubmitInput) -> CeremonyPayload:
        context, actor = await _now_and_actor(info)
        return _ceremony(
            await attempt(
                transitions.submit_ceremony(
                    actor=actor,
                    recognition_id=key_of(input.id, "Ceremony"),
                    now=context.clock.now(),
                    mail_config=context.settings.mail_config(),
                    override_notice=input.override_minimum_notice,
                    override_reason=input.override_reason,
                )
            )
        )

    @strawberry.mutation(
        description="Staff: the pins have been mailed (also after the ceremony date); tells the mailing "
        "contact and who submitted the ceremony."
    )
    async def ceremony_mark_pins_mailed(
        self, info: Info, input: CeremonyMarkPinsMailedInput
    ) -> CeremonyPayload:
        context, actor = await _now_and_actor(info)
        return _ceremony(
            await attempt(
                transitions.mark_pins_mailed(
                    actor=actor,
                    recognition_id=key_of(input.id, "Ceremony"),
                    now=context.clock.now(),
                    mail_config=context.settings.mail_config(),
                )
            )
        )

    @strawberry.mutation(
        description="Cancel a scheduled ceremony (CANCELLED, its history kept): the partner until the pins "
        "are mailed, staff always. Mails a cancelled calendar invitation."
    )
    async def ceremony_cancel(self, info: Info, input: CeremonyCancelInput) -> CeremonyPayload:
        context, actor = await _now_and_actor(info)
        return _ceremony(
            await attempt(
                transitions.cancel_ceremony(
                    actor=actor,
                    recognition_id=key_of(input.id, "Ceremony"),
                    reason=input.reason,
                    now=context.clock.now(),
                    mail_config=context.settings.mail_config(),
                )
            )
        )

    @strawberry.mutation(description="Certificate-request wizard, step 1: save as a draft.")
    async def certificate_request_create(
        self, info: Info, input: CertificateRequestCreateInput
    ) -> CertificateRequestPayload:
        context, actor = await _now_and_actor(info)
        return _request(
            await attempt(
                wizard.create_recognition(
                    actor=actor,
                    kind=RecognitionKind.CERTIFICATE_REQUEST,
                    step=_step1(input.date_range, input.cohort_ids, input.name),
                    now=context.clock.now(),
                )
            )
        )

    @strawberry.mutation(description="Change a certificate-request draft.")
    async def certificate_request_update(
        self, info: Info, input: CertificateRequestUpdateInput
    ) -> CertificateRequestPayload:
        context, actor = await _now_and_actor(info)
        return _request(
            await attempt(
                wizard.update_certificate_request(
                    actor=actor,
                    recognition_id=key_of(input.id, "CertificateRequest"),
                    changes=commands.Step1Changes(
                        **_range_changes(input.date_range, input.cohort_ids, input.name)
                    ),
                    now=context.clock.now(),
                )
            )
        )

    @strawberry.mutation(description="Finalize a certificate-request draft: CREATED, and it never expires.")
    async def certificate_request_finalize(
        self, info: Info, input: CertificateRequestFinalizeInput
    ) -> CertificateRequestPayload:
        context, actor = await _now_and_actor(info)
        return _request(
            await attempt(
                transitions.finalize_certificate_request(
                    actor=actor,
                    recognition_id=key_of(input.id, "CertificateRequest"),
                    now=context.clock.now(),
                )
            )
        )

    @strawberry.mutation(description="Delete a draft ceremony or certificate request.")
    async def recognition_delete(self, info: Info, input: RecognitionDeleteInput) -> RecognitionDeletePayload:
        context, actor = await _now_and_actor(info)
        deleted, errors = await attempt(
            transitions.delete_recognition(
                actor=actor,
                recognition_id=recognition_key(input.id),
                now=context.clock.now(),
            )
        )
        return RecognitionDeletePayload(deleted_id=None if deleted is None else input.id, errors=errors)
