"""Typed text cannot carry bidi controls: a name cannot spoof the order it reads in on the dashboard,
in a mail or on a certificate. Each of the twelve is refused with a field error; nothing changes."""

from __future__ import annotations

import unicodedata

import pytest

from service.recognitions.models import Recognition
from tests.support.graphql_client import GraphQLClient
from tests.support.recognition_api import CEREMONY_CREATE, CEREMONY_UPDATE, COMPLETE_STEP_2, make_world, step1
from tests.support.recognition_api import call_mutation as _call
from tests.support.tables import row_counts

# LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI, LRM, RLM, ALM
CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


@pytest.mark.parametrize("control", CONTROLS, ids=[f"U+{ord(c):04X}" for c in CONTROLS])
async def test_typed_text_with_a_bidi_control_is_refused(gql: GraphQLClient, control: str) -> None:
    # given a draft ceremony
    world = await make_world()
    created = await _call(gql, CEREMONY_CREATE, "ceremonyCreate", step1(world), world.admin)
    before = await row_counts()
    rows = await Recognition.all().order_by("id").values()
    contact = COMPLETE_STEP_2["mailingContact"]

    # when its name and the contact's name carry the control
    result = await _call(
        gql,
        CEREMONY_UPDATE,
        "ceremonyUpdate",
        {
            "id": created["ceremony"]["id"],
            **COMPLETE_STEP_2,
            "name": f"Spring {control}gnineve",
            "mailingContact": {**contact, "name": f"Aroha{control} Ngata"},
        },
        world.admin,
    )

    # then both are refused, naming the character, and nothing changed
    message = (
        f"Remove the bidi control characters (U+{ord(control):04X} {unicodedata.name(control)}): "
        "they change the order text reads in."
    )
    assert sorted((tuple(error["field"]), error["code"], error["message"]) for error in result["errors"]) == [
        (("mailingContact", "name"), "BIDI_CONTROL", message),
        (("name",), "BIDI_CONTROL", message),
    ]
    assert await row_counts() == before
    assert await Recognition.all().order_by("id").values() == rows


async def test_text_in_a_right_to_left_script_is_kept(gql: GraphQLClient) -> None:
    # given a draft ceremony
    world = await make_world()
    created = await _call(gql, CEREMONY_CREATE, "ceremonyCreate", step1(world), world.admin)

    # when its name is Hebrew and Latin mixed, without controls
    result = await _call(
        gql,
        CEREMONY_UPDATE,
        "ceremonyUpdate",
        {"id": created["ceremony"]["id"], "name": "טקס Spring 2026"},
        world.admin,
    )

    # then it is saved as typed
    assert result["errors"] == []
    assert (await Recognition.get()).name == "טקס Spring 2026"
