"""Names, companies, emails and phone numbers.

Faker is slow per call, so it is asked once per locale for pools of first and last names, and
the generator combines pool entries with its own random stream. Company names and domains come
from a fixed name space walked in a permuted order, which makes every domain unique without
remembering the ones already handed out (memory stays flat at any size).
"""

from __future__ import annotations

import functools
import math
import random
import unicodedata
from dataclasses import dataclass

from faker import Faker

from accord.demo.catalog import COUNTRIES, NAME_NOUNS, NAME_ROOTS, PERSONAL_EMAIL_DOMAINS, Country

POOL_DRAWS = 400  # Faker calls per locale and name part; the pools hold the distinct results
COMPANY_TLDS: tuple[str, ...] = ("com", "io", "co", "net", "ai", "app", "tech", "dev")
_TRANSLITERATE = str.maketrans(
    {"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "ß": "ss", "đ": "d"}
)


def ascii_slug(text: str) -> str:
    """Lower-case ASCII letters only: "O'Connor-Lévy" → "oconnorlevy"."""
    folded = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATE)).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if "a" <= ch <= "z")


@dataclass(frozen=True)
class NamePools:
    first_names: dict[str, tuple[str, ...]]  # locale → distinct first names
    last_names: dict[str, tuple[str, ...]]
    company_roots: tuple[str, ...]  # first halves of company names, slugs unique and collision-free


def _distinct(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if ascii_slug(v)))  # keeps first-seen order


@functools.lru_cache(maxsize=4)
def name_pools(seed: int) -> NamePools:
    first: dict[str, tuple[str, ...]] = {}
    last: dict[str, tuple[str, ...]] = {}
    for locale in dict.fromkeys(c.locale for c in COUNTRIES):
        fake = Faker(locale)
        fake.seed_instance(seed)
        first[locale] = _distinct([fake.first_name() for _ in range(POOL_DRAWS)])
        last[locale] = _distinct([fake.last_name() for _ in range(POOL_DRAWS)])
    surnames = [n for n in last["en_US"] + last["en_GB"] if " " not in n and "-" not in n]
    return NamePools(first, last, _collision_free_roots([*NAME_ROOTS, *surnames]))


def _collision_free_roots(candidates: list[str]) -> tuple[str, ...]:
    """Drop roots whose slug, glued to some noun, spells a domain another root already makes."""
    noun_slugs = [ascii_slug(noun) for noun, _ in NAME_NOUNS]
    taken: set[str] = set()
    roots: list[str] = []
    for root in dict.fromkeys(candidates):
        slug = ascii_slug(root)
        combos = {slug + n for n in noun_slugs}
        if slug and not combos & taken:
            taken |= combos
            roots.append(root)
    return tuple(roots)


@dataclass(frozen=True)
class CompanyName:
    name: str
    domain: str
    industry: str


class CompanyNamer:
    """The n-th company of a run gets the n-th point of the (root × noun × TLD) space.

    An affine permutation ``i → (a·i + b) mod N`` with ``gcd(a, N) = 1`` visits every
    (root, noun) pair once in a scrambled order; each further pass uses the next TLD, and past
    the last TLD a number is added. No set of used domains is needed.
    """

    def __init__(self, pools: NamePools, rng: random.Random) -> None:
        self.roots = pools.company_roots
        self.size = len(self.roots) * len(NAME_NOUNS)
        self.offset = rng.randrange(self.size)
        step = rng.randrange(self.size // 3, self.size)
        while math.gcd(step, self.size) != 1:
            step += 1
        self.step = step

    def name(self, index: int, country: Country, rng: random.Random) -> CompanyName:
        lap, i = divmod(index, self.size)
        point = (self.step * i + self.offset) % self.size
        root = self.roots[point // len(NAME_NOUNS)]
        noun, industry = NAME_NOUNS[point % len(NAME_NOUNS)]
        if lap < len(COMPANY_TLDS):
            domain = f"{ascii_slug(root)}{ascii_slug(noun)}.{COMPANY_TLDS[lap]}"
        else:
            domain = f"{ascii_slug(root)}{ascii_slug(noun)}{lap - len(COMPANY_TLDS) + 2}.com"
        suffix = rng.choice(country.legal_suffixes)
        return CompanyName(f"{root} {noun} {suffix}".strip(), domain, industry)


def work_email(first: str, last: str, domain: str, used: set[str], rng: random.Random) -> str:
    """A company address in one of the usual patterns, unique within the company (``used``)."""
    f, lst = ascii_slug(first) or "info", ascii_slug(last) or "contact"
    roll = rng.random()
    if roll < 0.55:
        local = f"{f}.{lst}"
    elif roll < 0.75:
        local = f"{f[0]}{lst}"
    elif roll < 0.87:
        local = f
    else:
        local = f"{f}{lst[0]}"
    candidate, n = local, 2
    while candidate in used:
        candidate, n = f"{local}{n}", n + 1
    used.add(candidate)
    return f"{candidate}@{domain}"


def personal_email(first: str, last: str, serial: int, rng: random.Random) -> str:
    """A free-mail address. ``serial`` is unique per contact in the run and ends the local part,
    and names are letters only, so two contacts can never get the same address."""
    f, lst = ascii_slug(first) or "me", ascii_slug(last) or "mail"
    local = f"{f}.{lst}{serial}" if rng.random() < 0.6 else f"{f[0]}{lst}{serial}"
    return f"{local}@{rng.choice(PERSONAL_EMAIL_DOMAINS)}"


def phone_number(country: Country, rng: random.Random) -> str:
    """Plausible international formats; North American numbers use the fictional 555-01xx range."""
    if country.calling_code == "1":
        return f"+1 {rng.randint(201, 989)} 555 {rng.randint(100, 199):04d}"
    return f"+{country.calling_code} {rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"
