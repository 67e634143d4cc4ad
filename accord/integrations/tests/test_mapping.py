"""Column mapping: suggestions by header name, checks, and the conversion of cells to rows."""

from __future__ import annotations

import pytest

from accord.accounts.models import Role
from accord.contacts.bulk import CompanyRow, ContactRow
from accord.contacts.models import PropertyDefinition
from accord.core.errors import Invalid
from accord.integrations.mapping import (
    ConverterSpec,
    RowConverter,
    check_mapping,
    clean_cell,
    mapping_from_names,
    suggest,
    targets_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def properties():
    P = PropertyDefinition
    return {
        "plan": P.objects.create(object_type="contact", key="plan", label="Plan", type=P.Type.CHOICE, choices=["free", "pro"]),
        "seats": P.objects.create(object_type="contact", key="seats", label="Seats", type=P.Type.NUMBER),
        "vip": P.objects.create(object_type="contact", key="vip", label="VIP", type=P.Type.BOOLEAN),
        "renewal": P.objects.create(object_type="contact", key="renewal", label="Renewal date", type=P.Type.DATE),
        "notes": P.objects.create(object_type="contact", key="lead_notes", label="Lead notes", type=P.Type.TEXT),
        "tier": P.objects.create(object_type="company", key="tier", label="Tier", type=P.Type.TEXT),
    }  # fmt: skip


# ---------------------------------------------------------------- suggestions
def test_suggestions_recognise_common_header_names(properties):
    headers = [
        "E-mail", "First Name", "surname", "Phone Number", "Job Title", "Company", "Website",
        "Country", "Lifecycle Stage", "Owner Email", "Plan", "properties.seats", "Lead_Notes", "Renewal date",
        "Favourite colour",
    ]  # fmt: skip
    assert suggest(headers, targets_for("contact")) == [
        "email", "first_name", "last_name", "phone", "title", "company", "domain", "country",
        "lifecycle_stage", "owner_email", "property:plan", "property:seats", "property:lead_notes",
        "property:renewal", "",
    ]  # fmt: skip


def test_each_field_is_suggested_for_one_column_only():
    assert suggest(["Email", "email address", "Name"], targets_for("contact")) == ["email", "", "full_name"]


def test_company_suggestions(properties):
    headers = ["Company Name", "Domain", "Industry", "Employees", "Annual revenue", "Tier", "Stage"]
    assert suggest(headers, targets_for("company")) == [
        "name", "domain", "industry", "size", "revenue_band", "property:tier", "lifecycle_stage",
    ]  # fmt: skip


def test_export_headers_map_back_to_their_fields(properties):
    from accord.integrations.export import CONTACT_COLUMNS

    headers = [h for h, _ in CONTACT_COLUMNS] + ["properties.plan"]
    mapping = suggest(headers, targets_for("contact"))
    assert dict(zip(headers, mapping, strict=True)) == {
        "email": "email", "first_name": "first_name", "last_name": "last_name", "phone": "phone",
        "title": "title", "company": "company", "company_domain": "domain", "country": "country",
        "lifecycle_stage": "lifecycle_stage", "owner_email": "owner_email", "created_at": "", "updated_at": "",
        "properties.plan": "property:plan",
    }  # fmt: skip


# ---------------------------------------------------------------- checks
def test_contacts_need_an_email_column():
    with pytest.raises(Invalid) as exc:
        check_mapping("contact", ["a", "b"], ["first_name", ""], targets_for("contact"))
    assert (
        exc.value.message == "Map a column to Email: contacts are matched and created by their email address."
    )


def test_companies_need_a_name_or_domain_column():
    with pytest.raises(Invalid, match="Map a column to Name or Domain"):
        check_mapping("company", ["a"], ["industry"], targets_for("company"))
    check_mapping("company", ["a"], ["domain"], targets_for("company"))


def test_a_field_mapped_twice_and_unknown_fields_are_refused():
    with pytest.raises(Invalid) as exc:
        check_mapping(
            "contact", ["Email", "Mail", "X"], ["email", "email", "favourite"], targets_for("contact")
        )
    assert exc.value.field_errors == {
        "col-1": ["Email is already filled from column 'Email'; map each field from one column only."],
        "col-2": ["Unknown field 'favourite' for column 'X'."],
    }


def test_mapping_from_header_names():
    assert mapping_from_names(
        ["Email", "Name", "Notes"], {"email": "email", "NAME": "full_name", "Notes": "ignore"}
    ) == [
        "email",
        "full_name",
        "",
    ]
    with pytest.raises(Invalid, match="names a column 'Phone' that is not in the header row"):
        mapping_from_names(["Email"], {"Phone": "phone"})


# ---------------------------------------------------------------- conversion
def converter(object_type, headers, mapping) -> RowConverter:
    return RowConverter(ConverterSpec.load(object_type, headers, mapping))


def convert(headers, mapping, cells, object_type="contact"):
    return converter(object_type, headers, mapping).convert(cells)


def test_cells_become_a_contact_row(users):
    owner = users[Role.SDR]
    row = convert(
        ["E", "Name", "Stage", "Owner", "Company", "Site"],
        ["email", "full_name", "lifecycle_stage", "owner_email", "company", "domain"],
        [
            " ada@example.test ",
            "Ada King Lovelace",
            "Sales Qualified Lead",
            owner.email.upper(),
            "Acme",
            "acme.test",
        ],
    )
    assert row == ContactRow(
        ref=0, email="ada@example.test", first_name="Ada", last_name="King Lovelace", lifecycle_stage="sql",
        owner_id=owner.pk, company_name="Acme", company_domain="acme.test",
    )  # fmt: skip


def test_first_and_last_name_columns_win_over_full_name():
    row = convert(["E", "N", "F"], ["email", "full_name", "first_name"], ["a@x.test", "Augusta Ada", "Ada"])
    assert isinstance(row, ContactRow)
    assert (row.first_name, row.last_name) == ("Ada", "Ada")


def test_empty_cells_are_not_given():
    row = convert(["E", "T"], ["email", "title"], ["a@x.test", "  "])
    assert isinstance(row, ContactRow) and row.title is None


def test_custom_properties_are_typed(properties):
    headers = ["E", "Plan", "Seats", "VIP", "Renewal", "Notes"]
    mapping = [
        "email",
        "property:plan",
        "property:seats",
        "property:vip",
        "property:renewal",
        "property:lead_notes",
    ]
    row = convert(headers, mapping, ["a@x.test", "PRO", "1 200", "Yes", "2027-01-31", "call back"])
    assert isinstance(row, ContactRow)
    assert row.properties == {
        "plan": "pro",
        "seats": 1200,
        "vip": True,
        "renewal": "2027-01-31",
        "lead_notes": "call back",
    }
    assert convert(headers, mapping, ["a@x.test", "", "2.5", "n", "", ""]).properties == {
        "seats": 2.5,
        "vip": False,
    }


def test_each_problem_of_a_row_is_reported(properties):
    headers = ["E", "Plan", "Seats", "VIP", "Renewal", "Stage", "Owner"]
    mapping = [
        "email",
        "property:plan",
        "property:seats",
        "property:vip",
        "property:renewal",
        "lifecycle_stage",
        "owner_email",
    ]
    problems = convert(
        headers, mapping, ["a@x.test", "gold", "many", "perhaps", "31/01/2027", "Hot", "nobody@x.test"]
    )
    assert problems == [
        "Plan 'gold' is not one of free, pro",
        "Seats must be a number (got 'many')",
        "VIP must be yes or no (got 'perhaps')",
        "Renewal date must be a date like 2026-01-31 (got '31/01/2027')",
        "stage 'Hot' is not a lifecycle stage (use one of subscriber, lead, mql, sal, sql, opportunity, "
        "customer, evangelist, recycled, disqualified)",
        "owner 'nobody@x.test' is not the email of an active Accord user",
    ]


def test_a_nul_character_is_refused():
    assert convert(["E", "T"], ["email", "title"], ["a@x.test", "a\x00b"]) == [
        "column 'T' contains a NUL character"
    ]


def test_a_deleted_property_is_reported(properties):
    before = converter("contact", ["E", "P"], ["email", "property:plan"])
    properties["plan"].delete()
    assert converter("contact", ["E", "P"], ["email", "property:plan"]).convert(["a@x.test", "pro"]) == [
        "custom property 'plan' no longer exists"
    ]
    assert isinstance(before.convert(["a@x.test", "pro"]), ContactRow)  # definitions are read once per run


def test_company_cells(properties):
    row = convert(
        ["N", "D", "S", "R", "T"],
        ["name", "domain", "size", "revenue_band", "property:tier"],
        ["Acme", "acme.test", "51–200", "$10M–50M", "gold"],
        object_type="company",
    )
    assert row == CompanyRow(
        ref=0,
        name="Acme",
        domain="acme.test",
        size="51-200",
        revenue_band="10M-50M",
        properties={"tier": "gold"},
    )
    assert convert(["N", "S"], ["name", "size"], ["Acme", "huge"], object_type="company") == [
        "size 'huge' is not one of 1-10, 11-50, 51-200, 201-1000, 1001-5000, 5001+"
    ]


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("'=SUM(A1)", "=SUM(A1)"),
        ("'+44 20", "+44 20"),
        ("'-5", "-5"),
        ("'@home", "@home"),
        ("'plain", "'plain"),
        ("''", "''"),
    ],
)
def test_cells_neutralised_by_an_export_get_their_value_back(cell, value):
    assert clean_cell(cell) == value
