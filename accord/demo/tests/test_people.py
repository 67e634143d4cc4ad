"""Names, domains and emails: unique by construction, deterministic per seed."""

from __future__ import annotations

import random

from accord.demo.catalog import COUNTRIES, NAME_NOUNS
from accord.demo.people import (
    COMPANY_TLDS,
    CompanyNamer,
    NamePools,
    ascii_slug,
    name_pools,
    personal_email,
    work_email,
)

US = COUNTRIES[0]


def test_ascii_slug_folds_accents_and_drops_punctuation() -> None:
    assert ascii_slug("O'Connor-Lévy") == "oconnorlevy"
    assert ascii_slug("Michał Søndergaard") == "michalsondergaard"
    assert ascii_slug("van Breukeleveen") == "vanbreukeleveen"


def test_pools_are_deterministic_per_seed() -> None:
    name_pools.cache_clear()
    first = name_pools(3)
    name_pools.cache_clear()
    again = name_pools(3)
    assert first == again
    assert first.first_names["de_DE"] and first.last_names["fr_FR"]
    assert len(set(first.company_roots)) == len(first.company_roots)
    assert len({noun for noun, _ in NAME_NOUNS}) == len(NAME_NOUNS)


def test_company_domains_never_repeat_across_the_whole_name_space() -> None:
    pools = NamePools(first_names={}, last_names={}, company_roots=("North", "Blue", "Hoffman"))
    namer = CompanyNamer(pools, random.Random(1))
    rng = random.Random(2)
    count = namer.size * (len(COMPANY_TLDS) + 3)  # well past the last TLD
    domains = [namer.name(i, US, rng).domain for i in range(count)]
    assert len(set(domains)) == count
    assert (
        domains[0].endswith(".com")
        and domains[-1].endswith(".com")
        and any(d.endswith(".io") for d in domains)
    )


def test_company_names_carry_an_industry() -> None:
    namer = CompanyNamer(name_pools(42), random.Random(5))
    made = [namer.name(i, US, random.Random(i)) for i in range(200)]
    assert all(c.name and c.industry and c.domain == c.domain.lower() for c in made)
    assert len({c.domain for c in made}) == 200


def test_work_emails_unique_within_a_company_and_personal_emails_unique_by_serial() -> None:
    rng = random.Random(0)
    used: set[str] = set()
    emails = [work_email("Anna", "Smith", "acme.com", used, rng) for _ in range(30)]
    assert len(set(emails)) == 30 and all(e.endswith("@acme.com") for e in emails)
    personal = [personal_email("Anna", "Smith", n, rng) for n in range(1, 500)]
    assert len(set(personal)) == len(personal)
    assert all(e == e.lower() for e in personal)
