"""Settings for the test suite: the normal settings with tasks run eagerly and a throw-away data dir."""

import os
import tempfile

os.environ["ACCORD_TESTING"] = "1"
os.environ.setdefault("ACCORD_DATA_DIR", tempfile.mkdtemp(prefix="accord-test-"))

from accord.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; production uses argon2

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - whitenoise warns when it is missing
