"""contacts.bulk: set-based upserts of contacts and companies (the write path of CSV imports)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from accord.accounts.models import Role
from accord.contacts import bulk
from accord.contacts.actions import add_identities, create_company, create_contact
from accord.contacts.bulk import CompanyRow, ContactRow, bulk_upsert_companies, bulk_upsert_contacts
from accord.contacts.models import Company, Contact, IdentityKind
from accord.lifecycle.actions import stage_changed
from accord.lifecycle.models import StageChange

pytestmark = pytest.mark.django_db


def row(ref: int, email: str, **fields) -> ContactRow:
    return ContactRow(ref=ref, email=email, **fields)


# ---------------------------------------------------------------- contacts: insert
def test_inserts_new_contacts_with_normalised_email_and_initial_history(users):
    marketer = users[Role.MARKETER]
    result = bulk_upsert_contacts(
        [
            row(2, "  Ada@Example.TEST ", first_name="Ada", last_name="Lovelace", lifecycle_stage="lead"),
            row(3, "alan@example.test", country="gb", owner_id=marketer.pk, properties={"plan": "pro"}),
        ],
        by=marketer,
    )
    assert (result.created, result.updated, result.skipped, result.errors) == (2, 0, 0, [])
    ada = Contact.objects.get(email="ada@example.test")
    alan = Contact.objects.get(email="alan@example.test")
    assert set(result.created_ids) == {ada.pk, alan.pk}
    assert (ada.first_name, ada.last_name, ada.lifecycle_stage) == ("Ada", "Lovelace", "lead")
    assert (alan.lifecycle_stage, alan.country, alan.owner_id, alan.properties) == (
        "subscriber",
        "GB",
        marketer.pk,
        {"plan": "pro"},
    )
    assert alan.created_at is not None and alan.created_at.tzinfo is not None
    history = {c.contact_id: c for c in StageChange.objects.all()}
    assert history[ada.pk].from_stage == "" and history[ada.pk].to_stage == "lead"
    assert history[alan.pk].to_stage == "subscriber"
    assert history[ada.pk].changed_by == marketer and history[ada.pk].rule == "import"


def test_a_batch_costs_a_fixed_number_of_queries():
    rows = [row(i, f"p{i}@corp{i % 7}.test", company_name=f"Corp {i % 7}") for i in range(300)]
    with CaptureQueriesContext(connection) as ctx:
        result = bulk_upsert_contacts(rows)
    assert result.created == 300
    assert len(ctx.captured_queries) <= 12  # independent of the number of rows
    more = [row(i, f"p{i}@corp{i % 7}.test", title="CTO") for i in range(300)]
    with CaptureQueriesContext(connection) as ctx:
        result = bulk_upsert_contacts(more)
    assert result.updated == 300
    assert len(ctx.captured_queries) <= 12


def test_invalid_rows_are_reported_and_the_others_written(users):
    result = bulk_upsert_contacts(
        [
            row(2, "bob@"),
            row(3, ""),
            row(4, "ok@example.test", first_name="x" * 101),
            row(5, "ok2@example.test", country="France", lifecycle_stage="hot"),
            row(6, "nul@example.test", title="a\x00b"),
            row(7, "owner@example.test", owner_id=987654),
            row(8, "dom@example.test", company_domain="not a domain"),
            row(9, "fine@example.test"),
        ]
    )
    assert result.created == 1
    messages = {e.ref: e.message for e in result.errors}
    assert messages[2] == "email 'bob@' is not a valid email address"
    assert messages[3] == "email is missing"
    assert messages[4] == "first name is 101 characters long; the limit is 100"
    assert "country 'France' is not a two-letter ISO country code" in messages[5]
    assert "stage 'hot' is not a lifecycle stage" in messages[5]
    assert messages[6] == "title contains a NUL character"
    assert messages[7] == "owner #987654 is not an active user"
    assert messages[8] == "domain 'not a domain' is not a domain name"
    assert list(Contact.objects.values_list("email", flat=True)) == ["fine@example.test"]


# ---------------------------------------------------------------- contacts: duplicates
def test_update_mode_overwrites_given_fields_and_leaves_the_rest():
    ada = create_contact(email="ada@example.test", first_name="Ada", phone="123", properties={})
    result = bulk_upsert_contacts(
        [row(2, "ADA@example.test", first_name="Augusta", phone=None, title="Countess")],
        on_duplicate="update",
    )
    assert (result.created, result.updated, result.updated_ids) == (0, 1, [ada.pk])
    ada.refresh_from_db()
    assert (ada.first_name, ada.phone, ada.title) == ("Augusta", "123", "Countess")


def test_skip_mode_leaves_existing_contacts_untouched():
    create_contact(email="ada@example.test", first_name="Ada")
    result = bulk_upsert_contacts(
        [row(2, "ada@example.test", first_name="Augusta"), row(3, "new@example.test")], on_duplicate="skip"
    )
    assert (result.created, result.updated, result.skipped) == (1, 0, 1)
    assert Contact.objects.get(email="ada@example.test").first_name == "Ada"


def test_duplicates_within_a_batch_last_wins_in_update_mode():
    result = bulk_upsert_contacts(
        [
            row(2, "dup@example.test", first_name="First", title="CEO"),
            row(3, "DUP@example.test", first_name="Second"),
        ],
        on_duplicate="update",
    )
    assert (result.created, result.updated, Contact.objects.count()) == (1, 1, 1)
    dup = Contact.objects.get()
    assert (dup.first_name, dup.title) == ("Second", "CEO")
    assert StageChange.objects.filter(contact=dup).count() == 1


def test_duplicates_within_a_batch_first_wins_in_skip_mode():
    result = bulk_upsert_contacts(
        [row(2, "dup@example.test", first_name="First"), row(3, "dup@example.test", first_name="Second")],
        on_duplicate="skip",
    )
    assert (result.created, result.skipped) == (1, 1)
    assert Contact.objects.get().first_name == "First"


def test_an_earlier_email_of_a_contact_finds_that_contact():
    ada = create_contact(email="ada@new.test")
    add_identities([(IdentityKind.EMAIL, "ada@old.test", ada.pk)])
    result = bulk_upsert_contacts([row(2, "ada@old.test", title="CTO")])
    assert (result.created, result.updated) == (0, 1)
    ada.refresh_from_db()
    assert (ada.email, ada.title) == ("ada@new.test", "CTO")


def test_properties_are_merged_on_update():
    create_contact(email="ada@example.test")
    Contact.objects.filter(email="ada@example.test").update(properties={"plan": "free", "seats": 3})
    bulk_upsert_contacts([row(2, "ada@example.test", properties={"plan": "pro"})])
    assert Contact.objects.get().properties == {"plan": "pro", "seats": 3}


def test_stage_moves_forward_with_history_and_signal(users, django_capture_on_commit_callbacks):
    ada = create_contact(email="ada@example.test", lifecycle_stage="lead")
    received = []

    def listener(**kwargs):
        received.append((kwargs["contact_id"], kwargs["from_stage"], kwargs["to_stage"]))

    stage_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            result = bulk_upsert_contacts(
                [row(2, "ada@example.test", lifecycle_stage="mql")], by=users["admin"]
            )
    finally:
        stage_changed.disconnect(listener)
    assert result.updated == 1
    ada.refresh_from_db()
    assert ada.lifecycle_stage == "mql"
    move = StageChange.objects.get(contact=ada, to_stage="mql")
    assert (move.from_stage, move.rule, move.changed_by) == ("lead", "import", users["admin"])
    assert received == [(ada.pk, "lead", "mql")]


def test_a_stage_move_backwards_is_refused_for_that_row():
    create_contact(email="ada@example.test", lifecycle_stage="customer")
    result = bulk_upsert_contacts([row(2, "ada@example.test", lifecycle_stage="lead", title="CTO")])
    assert result.updated == 0
    assert result.errors[0].message == (
        "stage 'lead' would move ada@example.test back from Customer; an import only moves contacts forward"
    )
    assert Contact.objects.get().title == ""


def test_may_change_refuses_records_of_other_owners(make_user):
    mine, theirs = make_user(Role.SDR), make_user(Role.SDR)
    create_contact(email="mine@example.test", owner=mine)
    create_contact(email="theirs@example.test", owner=theirs)
    result = bulk_upsert_contacts(
        [row(2, "mine@example.test", title="A"), row(3, "theirs@example.test", title="B")],
        may_change=lambda owner_id: owner_id == mine.pk,
    )
    assert result.updated == 1
    assert result.errors == [
        bulk.RowError(3, "contact theirs@example.test belongs to another owner and you may not change it")
    ]
    assert Contact.objects.get(email="theirs@example.test").title == ""


def test_unknown_on_duplicate_is_a_programming_error():
    with pytest.raises(ValueError, match="on_duplicate"):
        bulk_upsert_contacts([], on_duplicate="merge")  # type: ignore[arg-type]


# ---------------------------------------------------------------- contacts: companies
def test_companies_are_linked_by_domain_and_created_when_missing():
    acme = create_company(name="Acme", domain="acme.test")
    result = bulk_upsert_contacts(
        [
            row(2, "a@whatever.test", company_domain="https://www.ACME.test/about"),
            row(3, "b@globex.test", company_name="Globex Corp"),  # domain from the work email
            row(4, "c@gmail.com", company_name="Initech"),  # personal email: by name
            row(5, "d@gmail.com", company_name="initech"),
            row(6, "e@gmail.com"),  # no company given: none linked
        ]
    )
    assert result.created == 5
    company = dict(Contact.objects.values_list("email", "company__name"))
    domain = dict(Contact.objects.values_list("email", "company__domain"))
    assert Contact.objects.get(email="a@whatever.test").company == acme
    assert (company["b@globex.test"], domain["b@globex.test"]) == ("Globex Corp", "globex.test")
    assert company["c@gmail.com"] == company["d@gmail.com"] == "Initech"
    assert (
        Contact.objects.get(email="c@gmail.com").company_id
        == Contact.objects.get(email="d@gmail.com").company_id
    )
    assert company["e@gmail.com"] is None
    assert Company.objects.count() == 3


# ---------------------------------------------------------------- contacts: transactions
def test_a_batch_is_one_transaction(monkeypatch):
    create_contact(email="ada@example.test")

    def broken_history(self, rows):  # the last statement of the batch fails
        raise IntegrityError("simulated")

    monkeypatch.setattr(bulk._Table, "insert", broken_history)
    with pytest.raises(IntegrityError):
        bulk_upsert_contacts([row(2, "ada@example.test", title="CTO"), row(3, "new@example.test")])
    assert Contact.objects.count() == 1
    assert Contact.objects.get().title == ""


def test_a_unique_violation_from_a_concurrent_writer_reruns_the_batch_once(monkeypatch):
    """Another writer inserted one of the emails between the lookup and the insert: the batch's
    savepoint is rolled back and the batch rerun, which finds what exists (nothing doubled)."""
    real = bulk._Table.insert
    calls = []

    def insert_racing_once(self, rows):
        calls.append(1)
        if len(calls) == 1:
            raise IntegrityError("UNIQUE constraint failed: contacts_contact.email")
        return real(self, rows)

    monkeypatch.setattr(bulk._Table, "insert", insert_racing_once)
    result = bulk_upsert_contacts([row(2, "race@example.test", title="CTO")])
    assert result.created == 1
    assert Contact.objects.count() == 1 and StageChange.objects.count() == 1


# ---------------------------------------------------------------- companies
def test_companies_insert_update_and_skip(users):
    create_company(name="Acme", domain="acme.test", industry="Rockets")
    result = bulk_upsert_companies(
        [
            CompanyRow(2, name="Acme Inc", domain="www.acme.test", size="51-200"),
            CompanyRow(3, name="Globex", domain="globex.test", country="us", revenue_band="1M-10M"),
            CompanyRow(4, domain="initech.test"),
        ]
    )
    assert (result.created, result.updated, result.errors) == (2, 1, [])
    acme = Company.objects.get(domain="acme.test")
    assert (acme.name, acme.industry, acme.size) == ("Acme Inc", "Rockets", "51-200")
    assert Company.objects.get(domain="globex.test").country == "US"
    assert Company.objects.get(domain="initech.test").name == "Initech"
    skipped = bulk_upsert_companies([CompanyRow(2, name="Renamed", domain="acme.test")], on_duplicate="skip")
    assert skipped.skipped == 1 and Company.objects.get(domain="acme.test").name == "Acme Inc"


def test_companies_without_domain_match_by_name_and_gain_a_domain():
    old = create_company(name="Umbrella")
    result = bulk_upsert_companies(
        [
            CompanyRow(2, name="UMBRELLA", domain="umbrella.test"),
            CompanyRow(3, name="umbrella", industry="Pharma"),
        ]
    )
    assert (result.created, result.updated) == (0, 2)
    old.refresh_from_db()
    assert (old.domain, old.industry) == ("umbrella.test", "Pharma")


def test_company_duplicates_in_a_batch_and_bad_rows():
    result = bulk_upsert_companies(
        [
            CompanyRow(2, name="Hooli", domain="hooli.test", industry="Search"),
            CompanyRow(3, name="Hooli XYZ", domain="hooli.test"),
            CompanyRow(4),
            CompanyRow(5, name="Bad", size="huge"),
        ]
    )
    assert (result.created, result.updated) == (1, 1)
    assert Company.objects.get().name == "Hooli XYZ"
    messages = {e.ref: e.message for e in result.errors}
    assert messages[4] == "a company needs a name or a domain"
    assert messages[5].startswith("size 'huge' is not one of 1-10")


@pytest.mark.parametrize(
    "email",
    [
        "ada@example.test", "a.b+c@sub.example.co.uk", "bob@", "@example.test", "no-at-sign", "a@b",
        "a@localhost", "a@[127.0.0.1]", "a@[::1]", "a@[999.1.1.1]", "\"quoted user\"@example.test",
        "a..b@example.test", ".a@example.test", "a@-example.test", "a@example..test", "zoë@example.test",
        "a@exämple.test", "a@xn--exmple-cua.test", "a@example.test.", "a b@example.test",
        "x" * 250 + "@ex.test", "a@" + "b" * 64 + ".test", "a@" + "b" * 63 + ".test", "ok@example.123",
    ],
)  # fmt: skip
def test_the_batch_email_check_agrees_with_valid_email(email):
    from accord.contacts.actions import valid_email

    assert bulk._EmailCheck()(email) == valid_email(email)
