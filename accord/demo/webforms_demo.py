"""Demo forms: a gated report with consent, a double opt-in newsletter and a demo request,
created through the webforms actions (the demo generator calls :func:`seed_forms`)."""

from __future__ import annotations

from datetime import datetime

from accord.accounts.models import Role, User
from accord.campaigns.models import Campaign
from accord.webforms.actions import FieldSpec, create_form
from accord.webforms.models import Form

REPORT_CONSENT = (
    "I agree that Accord Demo Inc. may email me the report and related content about revenue "
    "operations. I can unsubscribe at any time; see our privacy policy."
)
NEWSLETTER_CONSENT = "Send me the monthly RevOps newsletter. I can unsubscribe with one click in any issue."


def seed_forms(now: datetime) -> list[Form]:
    """Create the demo forms (skipped when they exist). ``now`` is the workspace's clock; forms
    have no dates of their own to set from it."""
    del now
    if Form.objects.filter(slug__in=["revops-report-2026", "newsletter", "request-a-demo"]).exists():
        return list(Form.objects.order_by("id"))
    owner = User.objects.filter(role=Role.MARKETER, is_active=True).order_by("id").first()
    content = Campaign.objects.filter(channel="content").order_by("id").first()
    report = create_form(
        by=owner,
        name="Download the 2026 RevOps report",
        slug="revops-report-2026",
        title="The 2026 RevOps report",
        description="Benchmarks from 400 B2B revenue teams: funnel conversion, sales cycle and CAC by channel.",
        submit_label="Get the report",
        consent_required=True,
        consent_text=REPORT_CONSENT,
        default_campaign=content,
        success_message="Thank you! Your copy of the report is ready.",
        asset_url="https://example.com/accord-demo/revops-report-2026.pdf",
        asset_name="The 2026 RevOps report (PDF)",
        fields=[
            FieldSpec("email", "Work email", "email", True),
            FieldSpec("first_name", "First name", "text", True),
            FieldSpec("last_name", "Last name", "text", True),
            FieldSpec("company_name", "Company", "text", True),
            FieldSpec("title", "Job title", "text", False),
            FieldSpec("country", "Country", "select", False, choices=["US", "GB", "DE", "FR", "NL", "ES"]),
        ],
    )
    newsletter = create_form(
        by=owner,
        name="Newsletter",
        slug="newsletter",
        title="The RevOps newsletter",
        description="One email a month with what worked for other revenue teams.",
        submit_label="Subscribe",
        consent_required=True,
        consent_text=NEWSLETTER_CONSENT,
        newsletter_only=True,
        double_opt_in=True,
        success_message="You're subscribed. Welcome aboard!",
        fields=[FieldSpec("email", "Email", "email", True), FieldSpec("first_name", "First name", "text")],
    )
    demo = create_form(
        by=owner,
        name="Request a demo",
        slug="request-a-demo",
        title="See Accord in action",
        description="A 30-minute walkthrough with a product specialist, tailored to your funnel.",
        submit_label="Request my demo",
        success_message="Thanks! A specialist will contact you within one working day.",
        fields=[
            FieldSpec("email", "Work email", "email", True),
            FieldSpec("first_name", "First name", "text", True),
            FieldSpec("last_name", "Last name", "text", True),
            FieldSpec("company_name", "Company", "text", True),
            FieldSpec("phone", "Phone", "tel", False),
            FieldSpec("title", "Job title", "text", False, help_text="Helps us prepare the right demo."),
        ],
    )
    return [report, newsletter, demo]
