"""Identity helpers: email and domain rules, identity lookups, batch upserts."""

from __future__ import annotations

import pytest

from accord.contacts.actions import (
    ContactTraits,
    add_identities,
    companies_for_domains,
    company_domain_for,
    contacts_for_identities,
    create_contact,
    is_personal_domain,
    upsert_contacts,
)
from accord.contacts.models import Company, Contact, ContactIdentity
from accord.lifecycle.models import StageChange

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("domain", "personal"),
    [
        ("gmail.com", True), ("GMail.com", True), ("outlook.com", True), ("yahoo.com", True),
        ("mail.yahoo.com", True), ("icloud.com", True), ("hotmail.com", True), ("proton.me", True),
        ("acme.com", False), ("gmail.com.evil.io", False), ("notgmail.com", False),
        (" gmail.com. ", True), ("com", False), ("", False), ("yahoo.co.uk", True), ("co.uk", False),
    ],
)  # fmt: skip
def test_personal_domains(domain, personal):
    assert is_personal_domain(domain) is personal


def test_company_domain_for_an_email():
    assert company_domain_for("ann@Sales.Acme.com") == "sales.acme.com"
    assert company_domain_for("ann@gmail.com") is None
    assert company_domain_for("ann@localhost") is None


def test_identities_match_emails_case_insensitively_current_and_earlier():
    contact = create_contact(email="ann@acme.com")
    add_identities([("email", "Ann.Old@Acme.com", contact.pk), ("anonymous_id", "a1", contact.pk)])
    found = contacts_for_identities(
        [("email", "ANN@acme.com"), ("email", "ann.old@acme.com"), ("anonymous_id", "a1"), ("user_id", "a1")]
    )
    assert found == {
        ("email", "ann@acme.com"): contact.pk,
        ("email", "ann.old@acme.com"): contact.pk,
        ("anonymous_id", "a1"): contact.pk,
    }


def test_first_claim_of_an_id_wins():
    first, second = create_contact(email="a@x.io"), create_contact(email="b@x.io")
    add_identities([("anonymous_id", "shared", first.pk)])
    add_identities([("anonymous_id", "shared", second.pk), ("anonymous_id", "own", second.pk)])
    assert ContactIdentity.objects.get(value="shared").contact == first
    assert ContactIdentity.objects.get(value="own").contact == second


def test_upsert_creates_in_bulk_and_fills_only_blanks(django_assert_max_num_queries):
    existing = create_contact(email="kim@initech.com", first_name="Kim")
    profiles = [
        ContactTraits(email="KIM@initech.com", first_name="Kimberly", last_name="Park"),
        ContactTraits(email="lee@initech.com", title="VP Sales"),
        ContactTraits(email="lee@initech.com", phone="123"),  # the same person twice in the batch
        ContactTraits(email="max@gmail.com"),
        ContactTraits(email="broken@"),
    ]
    with django_assert_max_num_queries(12):
        result = upsert_contacts(profiles)
    existing.refresh_from_db()
    assert (existing.first_name, existing.last_name) == ("Kim", "Park")
    assert existing.company is not None and existing.company.domain == "initech.com"
    lee = Contact.objects.get(email="lee@initech.com")
    assert (lee.title, lee.phone, lee.company_id) == ("VP Sales", "123", existing.company_id)
    assert Contact.objects.get(email="max@gmail.com").company is None
    assert set(result.contact_ids) == {"kim@initech.com", "lee@initech.com", "max@gmail.com"}
    assert len(result.created) == 2
    assert StageChange.objects.filter(contact_id__in=result.created, to_stage="subscriber").count() == 2
    assert Company.objects.count() == 1


def test_companies_for_domains_reuses_existing_and_skips_personal():
    acme = Company.objects.create(name="Acme", domain="acme.com")
    found = companies_for_domains({"acme.com": "", "globex.com": "Globex", "gmail.com": "x"})
    assert found["acme.com"] == acme.pk
    assert Company.objects.get(pk=found["globex.com"]).name == "Globex"
    assert "gmail.com" not in found
