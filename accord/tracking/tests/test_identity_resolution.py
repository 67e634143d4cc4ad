"""Identity resolution through ingest: anonymous activity joins the contact; conflicts merge."""

from __future__ import annotations

import pytest

from accord.campaigns.models import Campaign, Channel
from accord.contacts.actions import create_contact
from accord.contacts.models import Company, Contact, ContactIdentity, ContactMergeRecord
from accord.lifecycle.models import StageChange
from accord.tracking.models import Touchpoint
from accord.tracking.tests.conftest import event

pytestmark = pytest.mark.django_db


def identify(email: str, anonymous_id: str = "anon-1", **traits) -> dict:
    return event("identify", anonymousId=anonymous_id, traits={"email": email, **traits})


def test_identify_creates_a_subscriber_and_joins_earlier_anonymous_activity(segment):
    segment.send("batch", {"batch": [event("page", anonymousId="a1"), event("track", anonymousId="a1")]})
    segment.send("batch", {"batch": [event("page", anonymousId="someone-else")]})
    assert not Touchpoint.objects.filter(contact__isnull=False).exists()

    segment.send("identify", identify("Ann.Lee@Acme.com", "a1", firstName="Ann", lastName="Lee", title="CTO"))
    contact = Contact.objects.get()
    assert (contact.email, contact.first_name, contact.last_name, contact.title) == (
        "ann.lee@acme.com", "Ann", "Lee", "CTO",
    )  # fmt: skip
    assert contact.lifecycle_stage == "subscriber"
    assert StageChange.objects.get(contact=contact).rule == "identify"
    assert contact.company is not None and contact.company.domain == "acme.com"
    assert Touchpoint.objects.filter(contact=contact).count() == 3
    assert Touchpoint.objects.get(anonymous_id="someone-else").contact_id is None

    segment.send("page", event("page", anonymousId="a1"))  # later activity joins at once
    assert Touchpoint.objects.filter(contact=contact).count() == 4


def test_email_matches_case_insensitively_and_traits_only_fill_blanks(segment):
    contact = create_contact(email="bo@beta.io", first_name="Bo")
    segment.send(
        "identify", identify("  BO@Beta.IO ", first_name="Robert", last_name="Stone", phone="+1 555")
    )
    contact.refresh_from_db()
    assert Contact.objects.count() == 1
    assert (contact.first_name, contact.last_name, contact.phone) == ("Bo", "Stone", "+1 555")


def test_personal_domains_do_not_create_companies(segment):
    segment.send(
        "batch",
        {
            "batch": [
                identify("x@gmail.com", "a"),
                identify("y@outlook.com", "b"),
                identify("z@mail.yahoo.com", "c"),
            ]
        },
    )
    assert Contact.objects.count() == 3
    assert not Company.objects.exists()


def test_company_domain_finds_or_creates_one_company_per_batch(segment):
    existing = Company.objects.create(name="Globex Corp", domain="globex.com")
    body = {
        "batch": [
            identify("a@globex.com", "a"),
            identify("b@initech.com", "b", company="Initech Inc."),
            identify("c@initech.com", "c"),
            identify("d@x.io", "d", company={"name": "Hooli", "domain": "https://www.hooli.com/"}),
        ]
    }
    segment.send("batch", body)
    assert Contact.objects.get(email="a@globex.com").company == existing
    initech = Company.objects.get(domain="initech.com")
    assert initech.name == "Initech Inc."
    assert set(initech.contacts.values_list("email", flat=True)) == {"b@initech.com", "c@initech.com"}
    hooli = Contact.objects.get(email="d@x.io").company
    assert hooli is not None and hooli.domain == "hooli.com"


def test_user_id_joins_the_contact_and_its_events(segment):
    segment.send("track", event(anonymousId=None, userId="u-7", messageId="before"))
    segment.send(
        "identify", event("identify", anonymousId="a7", userId="u-7", traits={"email": "u7@corp.com"})
    )
    contact = Contact.objects.get()
    assert Touchpoint.objects.get(message_id="before").contact == contact
    segment.send("track", event(anonymousId=None, userId="u-7", messageId="after"))
    assert Touchpoint.objects.get(message_id="after").contact == contact
    assert set(contact.identities.values_list("kind", "value")) == {
        ("user_id", "u-7"),
        ("anonymous_id", "a7"),
    }


def test_user_id_and_email_of_two_contacts_merge_on_identify(segment):
    segment.send(
        "identify", event("identify", anonymousId="a1", userId="u1", traits={"email": "old@corp.com"})
    )
    segment.send("identify", event("identify", anonymousId="a2", traits={"email": "new@corp.com"}))
    segment.send("track", event(anonymousId="a2", messageId="t2"))
    old, new = Contact.objects.get(email="old@corp.com"), Contact.objects.get(email="new@corp.com")

    segment.send(
        "identify", event("identify", anonymousId="a2", userId="u1", traits={"email": "new@corp.com"})
    )
    assert list(Contact.objects.values_list("pk", flat=True)) == [new.pk]
    assert Touchpoint.objects.filter(contact=new).count() == Touchpoint.objects.count() == 4
    record = ContactMergeRecord.objects.get()
    assert (record.primary_id, record.duplicate_id, record.rule) == (new.pk, old.pk, "identify")
    assert ContactIdentity.objects.get(kind="email", value="old@corp.com").contact == new
    assert ContactIdentity.objects.get(kind="user_id", value="u1").contact == new


def test_alias_merges_the_previous_id_into_the_user(segment):
    segment.send("identify", event("identify", anonymousId="anon-x", traits={"email": "p@corp.com"}))
    segment.send(
        "identify", event("identify", anonymousId="other", userId="u9", traits={"email": "q@corp.com"})
    )
    keep = Contact.objects.get(email="q@corp.com")
    segment.send("alias", {"messageId": "al", "previousId": "anon-x", "userId": "u9"})
    assert list(Contact.objects.values_list("pk", flat=True)) == [keep.pk]
    assert ContactMergeRecord.objects.get().rule == "alias"


def test_a_browser_write_key_never_merges_contacts(db):
    """Keys used in web pages are public: their identify/alias calls link ids but never merge two
    existing contacts (only a key created with ``may_merge`` can)."""
    from accord.tracking.actions import create_write_key
    from accord.tracking.tests.conftest import SegmentClient

    browser = SegmentClient(create_write_key("Website snippet").secret)
    browser.send("identify", event("identify", anonymousId="a1", userId="u1", traits={"email": "a@corp.com"}))
    browser.send("identify", event("identify", anonymousId="a2", traits={"email": "b@corp.com"}))
    browser.send("identify", event("identify", anonymousId="a2", userId="u1", traits={"email": "b@corp.com"}))
    browser.send("alias", {"messageId": "al", "previousId": "a1", "userId": "zz", "anonymousId": "a2"})
    assert Contact.objects.count() == 2
    assert not ContactMergeRecord.objects.exists()
    # the user id stays with the contact that claimed it first
    assert ContactIdentity.objects.get(kind="user_id", value="u1").contact.email == "a@corp.com"


def test_alias_links_an_unknown_previous_id(segment):
    segment.send("identify", event("identify", anonymousId="a", userId="u5", traits={"email": "r@corp.com"}))
    segment.send("page", event("page", anonymousId="old-device", messageId="old"))
    segment.send("alias", {"messageId": "al", "previousId": "old-device", "userId": "u5"})
    assert Touchpoint.objects.get(message_id="old").contact == Contact.objects.get()


def test_a_shared_anonymous_id_never_merges_two_people(segment):
    segment.send("identify", identify("first@corp.com", "shared-browser"))
    segment.send("identify", identify("second@corp.com", "shared-browser"))
    assert Contact.objects.count() == 2
    assert not ContactMergeRecord.objects.exists()
    assert (
        ContactIdentity.objects.get(kind="anonymous_id", value="shared-browser").contact.email
        == "first@corp.com"
    )


def test_identify_without_email_or_known_id_stays_anonymous(segment):
    segment.send("identify", event("identify", userId="ghost", traits={"name": "No Email"}))
    assert not Contact.objects.exists()
    assert Touchpoint.objects.get().user_id == "ghost"


def test_invalid_email_in_traits_creates_nothing(segment):
    segment.send("identify", identify("not-an-email@"))
    assert not Contact.objects.exists()
    assert Touchpoint.objects.count() == 1


def test_utm_codes_map_to_campaigns(segment):
    spring = Campaign.objects.create(name="Spring", channel=Channel.EMAIL, utm_campaign="spring")
    spring_ads = Campaign.objects.create(
        name="Spring ads",
        channel=Channel.DIGITAL,
        utm_campaign="spring",
        utm_source="google",
        utm_medium="cpc",
    )
    body = {
        "batch": [
            event("page", messageId="news", context={"campaign": {"name": "Spring", "source": "newsletter"}}),
            event("page", messageId="ads", context={"campaign": {"name": "spring", "source": "Google", "medium": "cpc"}}),
            event("page", messageId="url", context={"page": {"url": "https://x.io/?utm_campaign=spring&utm_source=google&utm_medium=cpc"}}),
            event("page", messageId="none", context={"campaign": {"name": "autumn"}}),
        ]
    }  # fmt: skip
    segment.send("batch", body)
    campaign_of = dict(Touchpoint.objects.values_list("message_id", "campaign_id"))
    assert campaign_of == {"news": spring.pk, "ads": spring_ads.pk, "url": spring_ads.pk, "none": None}


def test_utm_mapping_rules_apply_to_ingested_events(segment):
    """Source/medium rules (no campaign name in the link) map events through the campaigns' rules."""
    from accord.campaigns.actions import add_utm_rule

    linkedin = Campaign.objects.create(name="LinkedIn always-on", channel=Channel.SOCIAL)
    add_utm_rule(linkedin, source="linkedin", medium="paid")
    body = {
        "batch": [
            event("page", messageId="rule", context={"page": {"url": "https://x.io/?utm_source=LinkedIn&utm_medium=paid"}}),
            event("page", messageId="other-medium", context={"campaign": {"source": "linkedin", "medium": "organic"}}),
        ]
    }  # fmt: skip
    segment.send("batch", body)
    campaign_of = dict(Touchpoint.objects.values_list("message_id", "campaign_id"))
    assert campaign_of == {"rule": linkedin.pk, "other-medium": None}


def test_a_batch_costs_a_fixed_number_of_queries(segment, django_assert_max_num_queries):
    Campaign.objects.create(name="Spring", channel=Channel.EMAIL, utm_campaign="spring")
    for i in range(20):
        segment.send("identify", identify(f"known{i}@corp.com", f"k{i}"))

    def batch(n: int, tag: str) -> dict:
        events = []
        for i in range(n):
            events.append(event("page", anonymousId=f"k{i % 20}", context={"campaign": {"name": "spring"}}))
            events.append(event("track", anonymousId=f"{tag}-new-{i}"))
            if i % 10 == 0:
                events.append(identify(f"{tag}{i}@corp{i}.com", f"{tag}-new-{i}", firstName="N"))
        return {"batch": events}

    # auth 2 (+ last_used) · savepoint/tx · upsert ~6 · identities 2 · stage rows 1 per new contact ·
    # campaigns 1 · insert 1 · backfill 2: the same for 10 events as for 200.
    with django_assert_max_num_queries(25) as small:
        segment.send("batch", batch(10, "s"))
    with django_assert_max_num_queries(25 + 20) as large:  # + one stage row per new contact
        segment.send("batch", batch(100, "l"))
    assert len(large.captured_queries) - len(small.captured_queries) <= 10
    assert Touchpoint.objects.filter(type="page", contact__isnull=False).count() == 110


def test_group_sets_the_company_of_a_contact_without_one(segment):
    segment.send("identify", identify("jo@gmail.com", "g1"))  # personal domain: no company yet
    jo = Contact.objects.get(email="jo@gmail.com")
    assert jo.company is None
    segment.send(
        "group",
        event("group", anonymousId="g1", groupId="acct-9",
              traits={"name": "Initech Ltd", "website": "https://www.Initech.io/about"}),
    )  # fmt: skip
    jo.refresh_from_db()
    assert jo.company is not None
    assert (jo.company.domain, jo.company.name) == ("initech.io", "Initech Ltd")
    assert Touchpoint.objects.filter(contact=jo, type="group").count() == 1

    # a later group call naming another company does not move the contact
    segment.send("group", event("group", anonymousId="g1", groupId="x", traits={"website": "globex.com"}))
    jo.refresh_from_db()
    assert jo.company.domain == "initech.io"
    assert Company.objects.filter(domain="globex.com").exists()


def test_group_without_a_usable_domain_or_contact_changes_nothing(segment):
    segment.send("identify", identify("kim@gmail.com", "k1"))
    segment.send("batch", {"batch": [
        event("group", anonymousId="k1", groupId="a", traits={"website": "gmail.com"}),
        event("group", anonymousId="k1", groupId="b", traits={"name": "No domain"}),
        event("group", anonymousId="stranger", groupId="c", traits={"website": "acme.org"}),
    ]})  # fmt: skip
    assert Contact.objects.get(email="kim@gmail.com").company is None
    assert not Company.objects.filter(domain="acme.org").exists()
    assert Touchpoint.objects.filter(type="group").count() == 3
