"""`schema.graphql` at the root is the schema the code serves (`make schema` rewrites it)."""

from pathlib import Path

from service.graphql.schema import printed_schema

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_schema_file_is_in_step_with_the_code() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == printed_schema(), "run `make schema` and commit it"
