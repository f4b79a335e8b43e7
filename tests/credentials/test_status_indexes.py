"""Each certificate's place in the status lists: random, unique, given on issue, kept for good; the
list flips the bit at that place; certificates issued before get theirs from the migration."""

from __future__ import annotations

import base64
import gzip
import sqlite3
from pathlib import Path

import httpx
import pytest
from tortoise.context import TortoiseContext
from tortoise.migrations.api import migrate as migrate_to

from service.certificates import services as certificates
from service.certificates.models import Certificate, CertificateStatus
from service.credentials import indexes
from service.credentials.config import LIST_ENTRIES
from service.credentials.status import CredentialState
from service.database import migrate, tortoise_config
from service.settings import Settings
from tests.support.certificates_world import CertificatesWorld
from tests.support.clock import MovableClock
from tests.support.credentials import admin_of, issue, issue_many, parts, staff_of, status_position

MANY = 30


def _entries(token: str) -> dict[int, CredentialState]:
    """Every entry of a published list that is not valid, by index."""
    encoded = parts(token)[1]["credentialSubject"]["encodedList"][1:]
    bits = gzip.decompress(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    found = {}
    for byte_number, byte in enumerate(bits):
        for entry_in_byte in range(4) if byte else ():
            value = byte >> (6 - 2 * entry_in_byte) & 0b11
            if value:
                found[byte_number * 4 + entry_in_byte] = CredentialState(value)
    return found


async def test_certificates_issued_together_get_unique_places_in_no_order_of_their_ids(
    world: CertificatesWorld, settings: Settings, clock: MovableClock
) -> None:
    issued = await issue_many(world, settings, clock, range(MANY))

    stored = dict(
        await Certificate.filter(id__in=[c.id for c in issued]).values_list("id", "credential_status_index")
    )
    assert {c.id: c.credential_status_index for c in issued} == stored
    places = [stored[key] for key in sorted(stored)]
    assert len(set(places)) == MANY
    assert all(0 <= place < LIST_ENTRIES for place in places)
    # In the order of the ids the places neither rise nor fall (each order has a chance of 1 in 30!).
    assert places not in (sorted(places), sorted(places, reverse=True))


async def test_a_reissue_gets_a_new_place_and_the_replaced_certificate_keeps_its_own(
    world: CertificatesWorld, settings: Settings, clock: MovableClock, http: httpx.AsyncClient
) -> None:
    old = await issue(world, "Ana Completer", settings, clock)

    new = await certificates.reissue_certificate(
        actor=admin_of(world),
        certificate_id=old.id,
        now=clock.now(),
        files_dir=settings.resolved_files_dir,
        public_url=settings.public_url,
    )

    await old.refresh_from_db()
    assert old.status is CertificateStatus.REPLACED
    assert new.credential_status_index is not None
    assert old.credential_status_index not in (None, new.credential_status_index)
    assert status_position(old)[0] == status_position(new)[0] == 0
    published = (await http.get("/credentials/status/0")).text
    # only the replaced certificate's entry is set: the new one's reads valid
    assert _entries(published) == {status_position(old)[1]: CredentialState.REPLACED}


async def test_the_list_flips_the_bit_at_the_certificates_place_only(
    world: CertificatesWorld, settings: Settings, clock: MovableClock, http: httpx.AsyncClient
) -> None:
    issued = await issue_many(world, settings, clock, range(MANY))
    revoked = issued[7]
    before = (await http.get("/credentials/status/0")).text

    await certificates.revoke_certificate(
        actor=staff_of(world),
        certificate_id=revoked.id,
        reason="Issued in error",
        now=clock.now(),
    )

    after = (await http.get("/credentials/status/0")).text
    assert _entries(before) == {}
    assert _entries(after) == {status_position(revoked)[1]: CredentialState.REVOKED}


async def test_a_place_taken_by_another_process_meanwhile_is_drawn_again(
    world: CertificatesWorld, settings: Settings, clock: MovableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a certificate holding a place, and a draw that offers that place first
    holder = await issue(world, "Ana Completer", settings, clock)
    assert holder.credential_status_index is not None
    taken = holder.credential_status_index
    newcomer = await issue(world, "Dov Closed-Completer", settings, clock)
    await Certificate.filter(id=newcomer.id).update(credential_status_index=None)
    newcomer.credential_status_index = None
    draws: list[list[int]] = []
    real_draw, real_taken = indexes.draw, indexes._taken

    def draw(space: int, count: int) -> list[int]:
        drawn = real_draw(space, count)
        draws.append(drawn if draws else [taken, *(d for d in drawn if d != taken)][:count])
        return draws[-1]

    async def not_yet_taken(candidates: list[int]) -> set[int]:
        # the first check runs before the other process wrote its place
        return set() if len(draws) == 1 else await real_taken(candidates)

    monkeypatch.setattr(indexes, "draw", draw)
    monkeypatch.setattr(indexes, "_taken", not_yet_taken)

    # when
    await indexes.assign_status_indexes([newcomer])

    # then: the unique index refused the first place; the second draw stands
    await newcomer.refresh_from_db()
    assert len(draws) == 2 and draws[0][0] == taken
    assert newcomer.credential_status_index not in (None, taken)
    await holder.refresh_from_db()
    assert holder.credential_status_index == taken


async def test_certificates_issued_before_0016_get_unique_places_from_the_migration(tmp_path: Path) -> None:
    # given a database at 0015 holding three certificates, with the rows they point at
    path = tmp_path / "old.sqlite3"
    async with TortoiseContext():
        await migrate_to(
            config=tortoise_config(f"sqlite://{path}"), target="models.0015_certificate_templates"
        )
    day, moment = "'2026-09-01'", "'2026-09-01T00:00:00+00:00'"
    with sqlite3.connect(path) as connection:
        for statement in (
            f"INSERT INTO partner (id, name, slug, time_zone, created_at) "
            f"VALUES (1, 'P', 'p', 'UTC', {moment})",
            f"INSERT INTO portal_user (id, email, name, role, created_at, partner_id) "
            f"VALUES (1, 'a@example.org', 'A', 'PARTNER_ADMIN', {moment}, 1)",
            "INSERT INTO certificate_type (id, code, name) VALUES (1, 'T', 'Type')",
            "INSERT INTO program (id, partner_id, name, certificate_type_id, certification_percent) "
            "VALUES (1, 1, 'Program', 1, '80')",
            f"INSERT INTO cohort (id, name, starts_on, ends_on, partner_id, program_id) "
            f"VALUES (1, 'Cohort', {day}, {day}, 1, 1)",
            f"INSERT INTO recognition (id, partner_id, kind, name, status, range_start, range_end, "
            f"created_by_id, created_at, updated_at, representative_requested, calendar_sequence) VALUES "
            f"(1, 1, 'CERTIFICATE_REQUEST', 'R', 'CREATED', {day}, {day}, 1, {moment}, {moment}, 0, 0)",
        ):
            connection.execute(statement)
        for key in (1, 2, 3):
            connection.execute(
                "INSERT INTO course_taker (id, partner_id, name, email, sort_name) VALUES (?, 1, ?, ?, '')",
                (key, f"Taker {key}", f"t{key}@example.org"),
            )
            connection.execute(
                "INSERT INTO enrollment (id, modules_completed, modules_required, percent_complete, "
                "certified, certificate_type_id, cohort_id, course_taker_id) "
                "VALUES (?, 5, 5, '100', 1, 1, 1, ?)",
                (key, key),
            )
        for key in (1, 2, 3):
            connection.execute(
                "INSERT INTO certificate (id, code, partner_id, enrollment_id, recognition_id, status, "
                "printed, issued_by_id, issued_at) "
                "VALUES (?, ?, 1, ?, 1, 'VALID', '{}', 1, '2026-09-01T00:00:00+00:00')",
                (key, f"CODE{key}", key),
            )

    # when
    await migrate(f"sqlite://{path}")

    # then
    with sqlite3.connect(path) as connection:
        places = [row[0] for row in connection.execute("SELECT credential_status_index FROM certificate")]
    assert len(places) == 3 and len(set(places)) == 3
    assert all(isinstance(place, int) and 0 <= place < LIST_ENTRIES for place in places)


def test_the_places_are_drawn_from_lists_kept_at_most_half_full() -> None:
    assert [indexes.index_space(issued) for issued in (0, 1, LIST_ENTRIES // 2)] == [LIST_ENTRIES] * 3
    assert indexes.index_space(LIST_ENTRIES // 2 + 1) == 2 * LIST_ENTRIES
    assert indexes.index_space(3 * LIST_ENTRIES) == 6 * LIST_ENTRIES


async def test_a_batch_whose_drawn_place_was_taken_meanwhile_is_issued_one_by_one_and_placed_after(
    world: CertificatesWorld, settings: Settings, clock: MovableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a certificate holding a place, and a batch's draw (stored with its insert) that offers
    # that place first while the check for taken places has not seen it yet (another process's)
    holder = await issue(world, "Ana Completer", settings, clock)
    taken = holder.credential_status_index
    assert taken is not None
    draws: list[list[int]] = []
    real_draw, real_taken = indexes.draw, indexes._taken

    def draw(space: int, count: int) -> list[int]:
        drawn = real_draw(space, count)
        draws.append(drawn if draws else [taken, *(d for d in drawn if d != taken)][:count])
        return draws[-1]

    async def not_yet_taken(candidates: list[int]) -> set[int]:
        return set() if len(draws) == 1 else await real_taken(candidates)

    monkeypatch.setattr(indexes, "draw", draw)
    monkeypatch.setattr(indexes, "_taken", not_yet_taken)

    # when a batch is issued
    issued = await issue_many(world, settings, clock, range(3))

    # then the insert was refused, and every certificate of the batch is issued with a place of its own
    assert draws[0][0] == taken and len(draws) >= 2
    stored = dict(
        await Certificate.filter(id__in=[c.id for c in issued]).values_list("id", "credential_status_index")
    )
    assert {c.id: c.credential_status_index for c in issued} == stored
    assert len(set(stored.values())) == 3 and taken not in stored.values()
    assert [c.printed["recipient_name"] for c in issued] == ["Learner 0", "Learner 1", "Learner 2"]
    await holder.refresh_from_db()
    assert holder.credential_status_index == taken
