"""Every write of the campaigns app, one function per atomic change (one module per concept).

Import from here: ``from accord.campaigns.actions import create_campaign``.
"""

from accord.campaigns.actions.affiliates import (
    compute_commission,
    create_affiliate,
    create_affiliate_link,
    delete_commission_rule,
    record_affiliate_conversion,
    rule_for,
    set_commission_rule,
    set_conversion_status,
    update_affiliate,
)
from accord.campaigns.actions.campaigns import (
    CAMPAIGN_FIELDS,
    add_cost,
    add_utm_rule,
    create_campaign,
    delete_campaign,
    delete_cost,
    delete_utm_rule,
    update_campaign,
)
from accord.campaigns.actions.events import (
    add_session,
    cancel_registration,
    check_in,
    delete_session,
    register,
    set_session_capacity,
    undo_check_in,
)
from accord.campaigns.actions.links import (
    ClickInfo,
    contact_from_token,
    contact_token,
    create_tracking_link,
    record_click,
    tracked_url,
)
from accord.campaigns.actions.mentions import MentionIngest, ingest_mentions
from accord.campaigns.actions.merge import move_contact_records
from accord.campaigns.utm import resolve_campaign, resolve_campaigns

__all__ = [
    "CAMPAIGN_FIELDS",
    "ClickInfo",
    "MentionIngest",
    "add_cost",
    "add_session",
    "add_utm_rule",
    "cancel_registration",
    "check_in",
    "compute_commission",
    "contact_from_token",
    "contact_token",
    "create_affiliate",
    "create_affiliate_link",
    "create_campaign",
    "create_tracking_link",
    "delete_campaign",
    "delete_commission_rule",
    "delete_cost",
    "delete_session",
    "delete_utm_rule",
    "ingest_mentions",
    "move_contact_records",
    "record_affiliate_conversion",
    "record_click",
    "register",
    "resolve_campaign",
    "resolve_campaigns",
    "rule_for",
    "set_commission_rule",
    "set_conversion_status",
    "set_session_capacity",
    "tracked_url",
    "undo_check_in",
    "update_affiliate",
    "update_campaign",
]
