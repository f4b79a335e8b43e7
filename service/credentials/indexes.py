"""Each certificate's place in the status lists: random and unique, given when it is issued.

The W3C Bitstring Status List asks for random positions (herd privacy): a place says nothing about
when a certificate was issued, how many there are, or who its neighbours are. Places are drawn from
as many lists as keep them at most half full, so a draw rarely hits a taken place; the database's
unique index settles a race between two processes, and the loser draws again.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Sequence

from tortoise.exceptions import IntegrityError

from service.certificates.models import Certificate
from service.credentials.config import LIST_ENTRIES

# Certificates given places in one statement (each costs three bound values).
CHUNK = 500
# Draws before giving up: with lists at most half full, each fails with a chance far below one half.
ATTEMPTS = 8


class NoFreeIndex(Exception):
    """Every draw hit a taken place (never expected: the lists are kept half empty)."""


def position(index: int) -> tuple[int, int]:
    """Which status list holds an entry, and where in it."""
    return divmod(index, LIST_ENTRIES)


def index_space(issued: int) -> int:
    """How many places to draw from: whole lists, at least one, each at most half full when every
    certificate issued (these included: they are stored before they are placed) has its place."""
    return max(1, math.ceil(2 * issued / LIST_ENTRIES)) * LIST_ENTRIES


def draw(space: int, count: int) -> list[int]:
    """``count`` distinct places, uniformly at random (unpredictable: ``secrets``)."""
    chosen: set[int] = set()
    while len(chosen) < count:
        chosen.add(secrets.randbelow(space))
    return list(chosen)


async def assign_status_indexes(certificates: Sequence[Certificate]) -> None:
    """Give each certificate that has no place yet a free one (set on the objects too). Costs
    nothing when all have one; else three statements per chunk of certificates."""
    missing = [c for c in certificates if c.credential_status_index is None]
    for start in range(0, len(missing), CHUNK):
        await _assign(missing[start : start + CHUNK])


async def places_for_new(count: int) -> list[int]:
    """Free places for ``count`` certificates about to be issued, to be stored with them (saving
    the update that would place them after): two statements. The unique index refuses a place
    another process took meanwhile, and the caller then places its certificates afterwards."""
    issued = await _issued() + count
    for _ in range(ATTEMPTS):
        if (free := await _free(count, issued=issued)) is not None:
            return free
    raise NoFreeIndex("No free place in the status lists after several draws.")


async def _free(count: int, *, issued: int) -> list[int] | None:
    """``count`` places nobody holds now, or None when a draw hit too many taken ones."""
    candidates = draw(index_space(issued), 2 * count + 8)
    taken = await _taken(candidates)
    free = [index for index in candidates if index not in taken][:count]
    return free if len(free) == count else None


async def _assign(certificates: list[Certificate]) -> None:
    for _ in range(ATTEMPTS):
        free = await _free(len(certificates), issued=await _issued())
        if free is None:
            continue
        chosen = {c.id: index for c, index in zip(certificates, free, strict=True)}
        try:
            # Only where none is set: a place once given (and maybe signed into a credential) stays.
            updated = await Certificate.filter(credential_status_index__isnull=True).bulk_update(
                [Certificate(id=key, credential_status_index=index) for key, index in chosen.items()],
                fields=["credential_status_index"],
            )
        except IntegrityError:
            continue  # another process took one of these places a moment ago: draw again
        if updated != len(chosen):  # another process placed some of them first: theirs stand
            chosen = dict(
                await Certificate.filter(id__in=list(chosen)).values_list("id", "credential_status_index")
            )
        for certificate in certificates:
            certificate.credential_status_index = chosen[certificate.id]
        return
    raise NoFreeIndex("No free place in the status lists after several draws.")


async def _issued() -> int:
    """How many certificates have been issued, at most: the largest id (one step down the primary
    key's index, where counting the placed ones would read the whole index)."""
    rows = await Certificate.all().order_by("-id").limit(1).values_list("id")
    return int(rows[0][0]) if rows else 0


async def _taken(candidates: list[int]) -> set[int]:
    """The candidates some certificate holds already."""
    rows = await Certificate.filter(credential_status_index__in=candidates).values_list(
        "credential_status_index"
    )
    return {int(index) for (index,) in rows}
