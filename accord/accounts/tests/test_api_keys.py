"""API keys: shown once, stored hashed, revocable, last use recorded."""

from __future__ import annotations

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accord.accounts.actions import authenticate_api_key, create_api_key, revoke_api_key
from accord.accounts.models import ApiKey, Role

pytestmark = pytest.mark.django_db


def test_key_is_stored_hashed_and_authenticates(users):
    new = create_api_key(users[Role.SDR], "script")
    stored = ApiKey.objects.get(pk=new.key.pk)
    assert new.secret not in (stored.hashed_secret, stored.prefix)
    assert stored.hashed_secret == hashlib.sha256(new.secret.encode()).hexdigest()
    assert stored.last_used_at is None
    assert authenticate_api_key(new.secret) == users[Role.SDR]
    stored.refresh_from_db()
    assert stored.last_used_at is not None


@pytest.mark.parametrize("mangle", [lambda s: s[:-1] + ("A" if s[-1] != "A" else "B"), lambda s: s + "x",
                                    lambda s: "nope", lambda s: "", lambda s: s.replace("acc_", "xyz_")])  # fmt: skip
def test_wrong_secrets_are_refused(users, mangle):
    new = create_api_key(users[Role.SDR])
    assert authenticate_api_key(mangle(new.secret)) is None


def test_revoked_key_and_inactive_user_are_refused(users):
    new = create_api_key(users[Role.ACCOUNT_EXECUTIVE])
    revoke_api_key(new.key)
    assert authenticate_api_key(new.secret) is None
    other = create_api_key(users[Role.MARKETER])
    users[Role.MARKETER].is_active = False
    users[Role.MARKETER].save()
    assert authenticate_api_key(other.secret) is None


def test_create_api_key_command_prints_the_key_once(users):
    out, err = StringIO(), StringIO()
    call_command("create_api_key", user="sdr", name="deploy", stdout=out, stderr=err)
    secret = out.getvalue().strip()
    assert secret.startswith("acc_")
    assert authenticate_api_key(secret) == users[Role.SDR]
    assert "shown once" in err.getvalue()
    assert ApiKey.objects.get(user=users[Role.SDR]).name == "deploy"


def test_create_api_key_command_unknown_user():
    with pytest.raises(CommandError, match="No user named 'ghost'"):
        call_command("create_api_key", user="ghost")
