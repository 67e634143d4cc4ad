"""Fixed vocabularies the demo workspace draws from.

The demo company is *Brightloop*, a fictional workflow-automation SaaS that sells to finance,
operations and revenue teams. Everything here is plain data: no randomness, no database.
"""

from __future__ import annotations

from typing import NamedTuple

SITE = "https://www.brightloop.example"
STAFF_EMAIL_DOMAIN = "brightloop.example"
PRODUCT = "Brightloop"
MQL_THRESHOLD = 60


class Country(NamedTuple):
    code: str
    weight: int
    locale: str  # Faker locale for names
    calling_code: str
    region: str  # "emea" or "americas": which sales team covers it
    legal_suffixes: tuple[str, ...]


COUNTRIES: tuple[Country, ...] = (
    Country("US", 38, "en_US", "1", "americas", ("Inc.", "LLC", "", "", "Corp.")),
    Country("CA", 5, "en_CA", "1", "americas", ("Inc.", "Ltd.", "")),
    Country("BR", 3, "pt_BR", "55", "americas", ("Ltda.", "S.A.", "")),
    Country("MX", 2, "es_MX", "52", "americas", ("S.A. de C.V.", "")),
    Country("GB", 10, "en_GB", "44", "emea", ("Ltd", "plc", "")),
    Country("IE", 2, "en_IE", "353", "emea", ("Ltd", "")),
    Country("DE", 8, "de_DE", "49", "emea", ("GmbH", "AG", "")),
    Country("FR", 5, "fr_FR", "33", "emea", ("SAS", "SA", "")),
    Country("NL", 4, "nl_NL", "31", "emea", ("B.V.", "")),
    Country("ES", 3, "es_ES", "34", "emea", ("S.L.", "S.A.", "")),
    Country("IT", 2, "it_IT", "39", "emea", ("S.r.l.", "S.p.A.", "")),
    Country("SE", 2, "sv_SE", "46", "emea", ("AB", "")),
    Country("DK", 1, "da_DK", "45", "emea", ("ApS", "A/S", "")),
    Country("PL", 2, "pl_PL", "48", "emea", ("sp. z o.o.", "")),
    Country("CH", 2, "de_CH", "41", "emea", ("AG", "GmbH", "")),
    # Asia-Pacific is covered from the Americas team in the demo's territory plan.
    Country("AU", 4, "en_AU", "61", "americas", ("Pty Ltd", "")),
    Country("IN", 4, "en_IN", "91", "americas", ("Pvt. Ltd.", "")),
    Country("SG", 2, "en_US", "65", "americas", ("Pte. Ltd.", "")),
    Country("JP", 1, "en_US", "81", "americas", ("K.K.", "")),
)

PERSONAL_EMAIL_DOMAINS: tuple[str, ...] = (
    "gmail.com", "gmail.com", "gmail.com", "outlook.com", "yahoo.com", "hotmail.com", "icloud.com", "proton.me",
)  # fmt: skip


class Size(NamedTuple):
    value: str
    weight: int
    employees: tuple[int, int]
    revenue_bands: tuple[str, ...]
    mean_contacts: float  # how many people from a company of this size end up in the CRM
    deal_amount: tuple[int, int]  # annual contract value in USD


SIZES: tuple[Size, ...] = (
    Size("1-10", 12, (2, 10), ("<1M",), 1.2, (2_400, 9_000)),
    Size("11-50", 25, (11, 50), ("<1M", "1M-10M"), 1.8, (6_000, 24_000)),
    Size("51-200", 28, (51, 200), ("1M-10M", "10M-50M"), 2.8, (15_000, 60_000)),
    Size("201-1000", 20, (201, 1000), ("10M-50M", "50M-250M"), 4.0, (40_000, 150_000)),
    Size("1001-5000", 10, (1001, 5000), ("50M-250M", "250M-1B"), 5.5, (90_000, 320_000)),
    Size("5001+", 5, (5001, 60000), ("250M-1B", ">1B"), 7.0, (180_000, 850_000)),
)

# (word used in the company name, industry). The word list is also the second half of the
# company-name space, so it must hold no duplicates.
NAME_NOUNS: tuple[tuple[str, str], ...] = (
    ("Logistics", "Transportation & Logistics"), ("Freight", "Transportation & Logistics"),
    ("Shipping", "Transportation & Logistics"), ("Mobility", "Transportation & Logistics"),
    ("Health", "Healthcare"), ("Medical", "Healthcare"), ("Care", "Healthcare"), ("Clinics", "Healthcare"),
    ("Bio", "Biotechnology"), ("Therapeutics", "Biotechnology"), ("Genomics", "Biotechnology"),
    ("Capital", "Financial Services"), ("Financial", "Financial Services"), ("Bank", "Banking"),
    ("Payments", "Fintech"), ("Pay", "Fintech"), ("Lending", "Fintech"), ("Ledger", "Fintech"),
    ("Insurance", "Insurance"), ("Assurance", "Insurance"),
    ("Software", "Software"), ("Labs", "Software"), ("Systems", "Software"), ("Cloud", "Software"),
    ("Data", "Software"), ("Analytics", "Software"), ("AI", "Software"), ("Apps", "Software"),
    ("Networks", "Telecommunications"), ("Telecom", "Telecommunications"),
    ("Security", "Cybersecurity"), ("Defense", "Cybersecurity"),
    ("Retail", "Retail"), ("Stores", "Retail"), ("Outfitters", "Retail"), ("Market", "E-commerce"),
    ("Commerce", "E-commerce"), ("Foods", "Food & Beverage"), ("Brewing", "Food & Beverage"),
    ("Kitchen", "Food & Beverage"), ("Energy", "Energy"), ("Solar", "Renewable Energy"),
    ("Power", "Energy"), ("Manufacturing", "Manufacturing"), ("Industries", "Manufacturing"),
    ("Robotics", "Manufacturing"), ("Materials", "Manufacturing"), ("Motors", "Automotive"),
    ("Automotive", "Automotive"), ("Aerospace", "Aerospace"), ("Construction", "Construction"),
    ("Builders", "Construction"), ("Properties", "Real Estate"), ("Realty", "Real Estate"),
    ("Homes", "Real Estate"), ("Consulting", "Professional Services"), ("Partners", "Professional Services"),
    ("Advisors", "Professional Services"), ("Group", "Professional Services"), ("Legal", "Legal Services"),
    ("Media", "Media & Entertainment"), ("Studios", "Media & Entertainment"), ("Games", "Gaming"),
    ("Learning", "Education"), ("Academy", "Education"), ("Education", "Education"),
    ("Travel", "Travel & Hospitality"), ("Hotels", "Travel & Hospitality"), ("Staffing", "Staffing & Recruiting"),
    ("Talent", "Staffing & Recruiting"), ("Marketing", "Marketing & Advertising"), ("Creative", "Marketing & Advertising"),
    ("Agency", "Marketing & Advertising"), ("Agritech", "Agriculture"), ("Farms", "Agriculture"),
    ("Pharma", "Pharmaceuticals"), ("Chemicals", "Chemicals"), ("Water", "Utilities"), ("Utilities", "Utilities"),
    ("Nonprofit", "Non-profit"), ("Foundation", "Non-profit"), ("Sports", "Sports & Fitness"),
    ("Fitness", "Sports & Fitness"), ("Design", "Design"), ("Architects", "Architecture"),
)  # fmt: skip

# First halves of company names that are not surnames (surnames come from Faker).
NAME_ROOTS: tuple[str, ...] = (
    "North", "South", "Blue", "Red", "Green", "Silver", "Golden", "Bright", "Clear", "Swift", "True", "Prime",
    "Summit", "Vertex", "Apex", "Cobalt", "Copper", "Iron", "Granite", "Cedar", "Maple", "Oak", "Pine", "Willow",
    "River", "Harbor", "Beacon", "Lighthouse", "Anchor", "Atlas", "Orbit", "Nova", "Stellar", "Lunar", "Solaris",
    "Quantum", "Vector", "Pixel", "Signal", "Pulse", "Nimbus", "Horizon", "Meridian", "Pioneer", "Frontier",
    "Keystone", "Cornerstone", "Bluebird", "Falcon", "Hawk", "Otter", "Fox", "Wolf", "Bear", "Lynx", "Heron",
    "Crescent", "Evergreen", "Redwood", "Sequoia", "Juniper", "Sage", "Ember", "Flint", "Quartz", "Onyx", "Jade",
    "Amber", "Indigo", "Scarlet", "Crimson", "Azure", "Polar", "Tundra", "Sierra", "Mesa", "Canyon", "Delta",
    "Everest", "Alpine", "Coastal", "Prairie", "Metro", "Urban", "Civic", "Union", "Liberty", "Pacific",
    "Atlantic", "Northern", "Western", "Eastern", "Central", "Grand", "Noble", "Royal", "Kinetic", "Fusion",
)  # fmt: skip

# (title, persona, weight): who a B2B workflow-automation vendor actually talks to.
TITLES: tuple[tuple[str, str, int], ...] = (
    ("Chief Financial Officer", "finance_leader", 3), ("VP Finance", "finance_leader", 4),
    ("Finance Director", "finance_leader", 5), ("Controller", "finance", 6), ("FP&A Manager", "finance", 5),
    ("Accounts Payable Manager", "finance", 4), ("Head of Operations", "ops_leader", 5),
    ("Chief Operating Officer", "ops_leader", 3), ("Operations Manager", "operations", 8),
    ("Business Operations Analyst", "operations", 5), ("Revenue Operations Manager", "revops", 6),
    ("Head of RevOps", "revops", 3), ("Sales Operations Analyst", "revops", 4),
    ("VP of Sales", "sales_leader", 3), ("Chief Revenue Officer", "sales_leader", 2),
    ("VP Marketing", "marketing_leader", 3), ("Marketing Operations Manager", "marketing", 5),
    ("IT Director", "it", 4), ("Systems Administrator", "it", 3), ("CTO", "it", 2), ("CEO", "executive", 3),
    ("Founder", "executive", 2), ("Procurement Manager", "procurement", 3), ("Office Manager", "operations", 2),
    ("Software Engineer", "technical", 3), ("Product Manager", "product", 3), ("Analyst", "operations", 4),
)  # fmt: skip

PERSONAS: tuple[str, ...] = tuple(sorted({p for _, p, _ in TITLES}))

BLOG_POSTS: tuple[tuple[str, str], ...] = (
    ("/blog/month-end-close-checklist", "The month-end close checklist"),
    ("/blog/approval-workflows-that-scale", "Approval workflows that scale"),
    ("/blog/spreadsheet-to-automation", "From spreadsheet to automation in a week"),
    ("/blog/revops-metrics-that-matter", "RevOps metrics that matter"),
    ("/blog/ap-automation-roi", "Calculating the ROI of AP automation"),
    ("/blog/soc2-for-finance-teams", "What SOC 2 means for finance teams"),
    ("/blog/quote-to-cash-bottlenecks", "Five quote-to-cash bottlenecks"),
    ("/blog/no-code-vs-low-code", "No-code vs low-code for operations"),
    ("/blog/audit-trail-best-practices", "Audit trail best practices"),
    ("/blog/erp-integration-guide", "The ERP integration guide"),
)
FEATURE_PAGES: tuple[tuple[str, str], ...] = (
    ("/features/workflows", "Workflow builder"),
    ("/features/approvals", "Approvals"),
    ("/features/integrations", "Integrations"),
    ("/features/analytics", "Analytics"),
    ("/features/security", "Security & compliance"),
)
HIGH_INTENT_PAGES: tuple[tuple[str, str], ...] = (
    ("/pricing", "Pricing"),
    ("/pricing", "Pricing"),
    ("/demo", "Book a demo"),
    ("/customers", "Customer stories"),
    ("/compare/brightloop-vs-spreadsheets", "Brightloop vs spreadsheets"),
)
CONTENT_ASSETS: tuple[str, ...] = (
    "The State of Finance Automation 2026",
    "Month-end close playbook",
    "AP automation ROI calculator",
    "Approval workflow templates",
    "RevOps benchmark report",
    "Security whitepaper",
)
ENTRY_FORMS: tuple[str, ...] = ("Newsletter signup", "Blog subscription", "Get the guide")
LEAD_FORMS: tuple[str, ...] = (
    "Start free trial",
    "Contact sales",
    "Webinar registration",
    "Download pricing guide",
)
NURTURE_EMAILS: tuple[str, ...] = (
    "Your weekly operations digest",
    "3 workflows finance teams automate first",
    "Customer story: how Lumio closed the books in 3 days",
    "New: approvals on mobile",
    "Invitation: live product tour",
    "Your guide is ready to download",
)
OUTBOUND_EMAILS: tuple[str, ...] = (
    "Quick question about your month-end close",
    "Idea for {company}",
    "Following up",
    "Worth a 15-minute chat?",
)
REFERRERS: dict[str, str] = {
    "organic": "https://www.google.com/",
    "bing": "https://www.bing.com/",
    "linkedin": "https://www.linkedin.com/",
    "twitter": "https://t.co/",
    "news": "https://techcrunch.com/",
    "partner": "https://www.finops-partners.example/",
    "g2": "https://www.g2.com/",
}
USER_AGENTS: tuple[str, ...] = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
)

# Why an SDR turns an MQL down: (stage it goes to, reason).
REJECTIONS: tuple[tuple[str, str], ...] = (
    ("recycled", "Budget: no budget until next fiscal year"),
    ("recycled", "Timeline: evaluating again next quarter"),
    ("recycled", "Authority: not the decision maker, nurture until a champion is found"),
    ("recycled", "Need: happy with spreadsheets for now"),
    ("disqualified", "Bad data: fake or mistyped contact details"),
    ("disqualified", "Competitor: signed a three-year contract with a competitor"),
    ("disqualified", "Not a fit: student or job seeker"),
    ("disqualified", "Not a fit: company too small for the product"),
    ("disqualified", "Duplicate of an existing contact"),
)
STALLED_SAL_REASONS: tuple[str, ...] = (
    "Timeline: project pushed to next year",
    "No response after six touches",
    "Budget frozen after a reorganisation",
)
LOST_REASONS: tuple[str, ...] = (
    "Price too high",
    "Chose competitor: Zapier",
    "Chose competitor: Workato",
    "No decision / status quo",
    "Budget cut",
    "Timing: revisit next quarter",
    "Missing feature: native ERP sync",
    "Champion left the company",
    "Security review not passed",
)
EVANGELIST_REASONS: tuple[str, ...] = (
    "Published a joint case study",
    "Left a five-star review on G2",
    "Spoke on our customer webinar",
    "Referred two companies",
)
COMPETITORS: tuple[str, ...] = ("Zapier", "Workato", "Tray.io", "Spreadsheets", "In-house scripts")
OBJECTIONS: tuple[tuple[str, str], ...] = (
    ("price", "Pricing is above what they budgeted"),
    ("competitor", "Already trialling {competitor}"),
    ("timing", "Wants to wait until after the audit"),
    ("trust", "Needs SSO and a SOC 2 report before signing"),
    ("feature_gap", "Worried about the NetSuite integration"),
    ("authority", "CFO has to sign off on anything over budget"),
)
CALL_OUTCOMES: tuple[tuple[str, int], ...] = (
    ("no_answer", 30), ("left_voicemail", 25), ("connected", 30), ("meeting_booked", 12), ("wrong_number", 3),
)  # fmt: skip
