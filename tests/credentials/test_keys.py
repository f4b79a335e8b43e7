"""The issuer's keys: made once, kept private, rotated by a command, never shown."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from service.credentials.keys import (
    RETIRED_DIR,
    SIGNING_KEY_FILE,
    KeyFileError,
    current_keys,
    load_keys,
    rotate_keys,
)


def test_the_key_is_made_once_readable_by_its_owner_only(tmp_path: Path) -> None:
    first = load_keys(tmp_path / "keys")
    again = load_keys(tmp_path / "keys")

    mode = stat.S_IMODE((tmp_path / "keys" / SIGNING_KEY_FILE).stat().st_mode)
    assert (first.signing.kid, mode) == (again.signing.kid, 0o600)
    assert repr(first) == f"KeyRing(signing=SigningKey(kid='{first.signing.kid}'))"


def test_processes_starting_at_once_agree_on_one_key(tmp_path: Path) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        kids = set(pool.map(lambda _: load_keys(tmp_path).signing.kid, range(16)))

    assert kids == {load_keys(tmp_path).signing.kid}
    assert sorted(path.name for path in tmp_path.iterdir()) == [SIGNING_KEY_FILE]


def test_rotation_publishes_the_old_public_key_and_signs_with_the_new(tmp_path: Path) -> None:
    old = load_keys(tmp_path).signing.kid

    retired, new = rotate_keys(tmp_path)
    ring = load_keys(tmp_path)

    assert (retired, ring.signing.kid) == (old, new)
    assert [key["kid"] for key in ring.jwks()["keys"]] == [new, old]
    assert "PRIVATE" not in (tmp_path / RETIRED_DIR / f"{old}.pem").read_text()


def test_a_broken_key_file_is_named_but_not_shown(tmp_path: Path) -> None:
    (tmp_path / SIGNING_KEY_FILE).write_text(
        "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWJ5dGVz\n-----END PRIVATE KEY-----\n"
    )

    with pytest.raises(KeyFileError) as raised:
        load_keys(tmp_path)

    assert str(raised.value) == f"{tmp_path / SIGNING_KEY_FILE} is not a PEM private key."
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


def test_the_rotate_command_prints_the_key_ids_only(tmp_path: Path) -> None:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PORTAL_")}
    environment["PORTAL_DATA_DIR"] = str(tmp_path)
    old = load_keys(tmp_path / "credential-keys").signing.kid
    pem = (tmp_path / "credential-keys" / SIGNING_KEY_FILE).read_text()

    done = subprocess.run(
        [sys.executable, "-m", "service.cli", "rotate-credential-key"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    new = load_keys(tmp_path / "credential-keys").signing.kid

    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == f"Credentials are now signed with key {new}; key {old} stays published.\n"
    assert pem.splitlines()[1] not in done.stdout


def test_the_keys_are_read_again_only_when_the_folder_changed(tmp_path: Path) -> None:
    first = current_keys(tmp_path)
    unchanged = current_keys(tmp_path)

    # a rotation by any process (here: by writing the files, as another process would)
    old, new = rotate_keys(tmp_path)
    rotated = current_keys(tmp_path)
    (tmp_path / RETIRED_DIR / f"{old}.pem").unlink()
    withdrawn = current_keys(tmp_path)

    assert unchanged is first
    assert (first.signing.kid, rotated.signing.kid) == (old, new)
    assert set(rotated.public) == {old, new}
    assert set(withdrawn.public) == {new}
