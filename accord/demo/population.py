"""Companies and the people who work there, each with a journey through the funnel."""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta

from accord.demo import catalog
from accord.demo.catalog import COUNTRIES, TITLES, Country, Size
from accord.demo.deals import Account, Seller
from accord.demo.draws import Weighted
from accord.demo.journeys import Journey, Planner
from accord.demo.marketing import WINDOW_DAYS
from accord.demo.people import CompanyNamer, NamePools, personal_email, phone_number, work_email
from accord.demo.rows import CompanyRow, ContactRow
from accord.demo.staff import Staff
from accord.demo.tables import Tables
from accord.demo.touches import Visitor
from accord.lifecycle.stages import FUNNEL_ORDER, LifecycleStage

PERSONAL_SHARE = 0.3  # of "units" drawn: a lone contact with a free-mail address and no company
MAX_CONTACTS_PER_COMPANY = 25
_IP_PREFIXES = ("192.0.2.", "198.51.100.", "203.0.113.")  # documentation ranges (RFC 5737)


class Population:
    """Adds one *unit* at a time (a company and its contacts, or one free-mail contact) to the
    pending rows. Units never straddle two random draws of different batches, so the data do
    not depend on the batch size."""

    def __init__(
        self,
        rng: random.Random,
        pools: NamePools,
        tables: Tables,
        planner: Planner,
        seller: Seller,
        staff: Staff,
        now: datetime,
    ) -> None:
        self.rng = rng
        self.pools = pools
        self.tables = tables
        self.planner = planner
        self.seller = seller
        self.staff = staff
        self.now = now
        self.namer = CompanyNamer(pools, rng)
        self.companies_made = 0
        self.contacts_made = 0
        self.window_start = now - timedelta(days=WINDOW_DAYS)
        self.countries = Weighted(COUNTRIES, [c.weight for c in COUNTRIES])
        self.sizes = Weighted(catalog.SIZES, [s.weight for s in catalog.SIZES])
        self.titles = Weighted(TITLES, [w for _, _, w in TITLES])

    def add_unit(self, remaining: int) -> int:
        """Generate up to ``remaining`` contacts; returns how many were added."""
        rng = self.rng
        if remaining <= 0:
            return 0
        if rng.random() < PERSONAL_SHARE:
            self._contact(self.countries.draw(rng), None, set())
            return 1
        return self._company(remaining)

    def _first_touch(self) -> datetime:
        """Skewed towards recent months: the company is growing."""
        span = (self.now - timedelta(days=3) - self.window_start).total_seconds()
        return self.window_start + timedelta(seconds=span * self.rng.random() ** 0.75)

    def _company(self, remaining: int) -> int:
        rng = self.rng
        country = self.countries.draw(rng)
        size = self.sizes.draw(rng)
        names = self.namer.name(self.companies_made, country, rng)
        self.companies_made += 1
        company_id = next(self.tables.company_ids)
        revenue_band = rng.choice(size.revenue_bands)
        k = 1 + int(rng.expovariate(1.0 / max(0.05, size.mean_contacts - 0.6)))
        k = min(k, MAX_CONTACTS_PER_COMPANY, remaining)
        used: set[str] = set()
        journeys: list[Journey] = []
        account = (company_id, names.name, names.domain, size)
        for _ in range(k):
            home = country if rng.random() < 0.9 else self.countries.draw(rng)
            journeys.append(self._contact(home, account, used))
        stage = _company_stage([j.stage for j in journeys])
        owner = next((j.ae_id for j in journeys if j.ae_id), None) or next(
            (j.sdr_id for j in journeys if j.sdr_id), None
        )
        created = min(j.created_at for j in journeys)
        updated = max(j.last_at for j in journeys)
        self.tables.companies.add(
            CompanyRow(
                id=company_id,
                name=names.name,
                domain=names.domain,
                industry=names.industry,
                size=size.value,
                revenue_band=revenue_band,
                country=country.code,
                lifecycle_stage=stage,
                owner_id=owner,
                properties={},
                created_at=created,
                updated_at=updated,
            )
        )
        return k

    def _contact(
        self, country: Country, account: tuple[int, str, str, Size] | None, used: set[str]
    ) -> Journey:
        rng, pools = self.rng, self.pools
        self.contacts_made += 1
        first = rng.choice(pools.first_names[country.locale])
        last = rng.choice(pools.last_names[country.locale])
        if account is None:
            email = personal_email(first, last, self.contacts_made, rng)
            title = self.titles.draw(rng)[0] if rng.random() < 0.5 else ""
            company_id, company_name, size = None, "", None
        else:
            company_id, company_name, domain, size = account
            email = work_email(first, last, domain, used, rng)
            title = self.titles.draw(rng)[0]
        phone = phone_number(country, rng) if rng.random() < 0.7 else ""
        contact_id = next(self.tables.contact_ids)
        visitor = Visitor(
            contact_id=contact_id,
            anonymous_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            user_agent=rng.choice(catalog.USER_AGENTS),
            ip=f"{rng.choice(_IP_PREFIXES)}{rng.randint(1, 254)}",
            locale=country.locale.replace("_", "-"),
        )
        region = country.region
        journey = self.planner.plan(contact_id, visitor, region, company_name, self._first_touch())
        display = company_name or f"{first} {last}"
        self.seller.record(journey, Account(company_id, display, size))
        self.tables.contacts.add(
            ContactRow(
                id=contact_id,
                email=email,
                first_name=first,
                last_name=last,
                phone=phone,
                title=title,
                company_id=company_id,
                owner_id=journey.owner_id,
                lifecycle_stage=journey.stage,
                country=country.code,
                properties={},
                created_at=journey.created_at,
                updated_at=journey.last_at,
            )
        )
        return journey


def _company_stage(stages: list[str]) -> str:
    """The most advanced contact's stage; a company with a customer is a customer."""
    on_funnel = [FUNNEL_ORDER.index(s) for s in stages if s in FUNNEL_ORDER]
    if not on_funnel:
        return stages[0]
    best = FUNNEL_ORDER[max(on_funnel)]
    return LifecycleStage.CUSTOMER if best == LifecycleStage.EVANGELIST else best
