"""The same seed gives the same generated rows, whatever the batch size; another seed does not.

The extras (scoring rules, forms, catalog, quotes) go through the apps' actions, which stamp rows with
the real clock, so they are left out here; test_extras.py covers them."""

from __future__ import annotations

import pytest

from accord.demo.generator import generate_workspace
from accord.demo.tests.fixtures import NOW, fingerprint, wipe

pytestmark = pytest.mark.django_db


def test_same_seed_same_rows_whatever_the_batch_size() -> None:
    first = generate_workspace(contacts=150, seed=11, batch_size=1000, now=NOW, extras=False)
    print_a = fingerprint()
    wipe()
    second = generate_workspace(contacts=150, seed=11, batch_size=17, now=NOW, extras=False)
    assert second == first
    assert fingerprint() == print_a
    wipe()
    other = generate_workspace(contacts=150, seed=12, batch_size=1000, now=NOW, extras=False)
    assert other.contacts == 150
    assert fingerprint() != print_a
