"""Records for tests, with defaults a test overrides only where it matters."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from service.cohorts.models import CertificateType, Cohort, Program
from service.partners.models import Partner
from service.users.models import Role, User

_numbers = itertools.count(1)


async def make_partner(name: str = "Partner", *, time_zone: str = "America/Chicago") -> Partner:
    number = next(_numbers)
    return await Partner.create(name=f"{name} {number}", slug=f"partner-{number}", time_zone=time_zone)


async def make_admin(partner: Partner) -> User:
    number = next(_numbers)
    return await User.create(
        email=f"admin{number}@example.org", name=f"Admin {number}", role=Role.PARTNER_ADMIN, partner=partner
    )


async def make_staff() -> User:
    number = next(_numbers)
    return await User.create(email=f"staff{number}@example.org", name=f"Staff {number}", role=Role.STAFF)


async def make_certificate_type(
    name: str = "Certificate in Effective College Instruction",
) -> CertificateType:
    return await CertificateType.create(code=f"T{next(_numbers)}", name=name)


async def make_program(partner: Partner, name: str = "Effective Teaching Practices") -> Program:
    certificate_type = await make_certificate_type()
    return await Program.create(partner=partner, name=name, certificate_type=certificate_type)


async def make_cohort(program: Program, *, ends_on: date, name: str | None = None) -> Cohort:
    return await Cohort.create(
        partner_id=program.partner_id,
        program=program,
        name=name or f"Cohort {next(_numbers)}",
        starts_on=ends_on - timedelta(days=90),
        ends_on=ends_on,
    )
