"""The tables one generator run streams into, with their id counters, flushed together per batch."""

from __future__ import annotations

from collections.abc import Iterator

from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from accord.contacts.models import Company, Contact
from accord.demo.rows import ActivityRow, CompanyRow, ContactRow, DealRow, StageChangeRow, TouchpointRow
from accord.demo.writer import TableWriter, next_id_counter, reset_sequences
from accord.lifecycle.models import StageChange
from accord.sales.models import Activity, Deal
from accord.tracking.models import Touchpoint


class Tables:
    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        self.connection = connection
        self.companies = TableWriter(connection, Company, CompanyRow)
        self.contacts = TableWriter(connection, Contact, ContactRow)
        self.deals = TableWriter(connection, Deal, DealRow)
        self.touchpoints = TableWriter(connection, Touchpoint, TouchpointRow)
        self.stage_changes = TableWriter(connection, StageChange, StageChangeRow)
        self.activities = TableWriter(connection, Activity, ActivityRow)
        self.company_ids: Iterator[int] = next_id_counter(Company)
        self.contact_ids: Iterator[int] = next_id_counter(Contact)
        self.deal_ids: Iterator[int] = next_id_counter(Deal)
        self.touchpoint_ids: Iterator[int] = next_id_counter(Touchpoint)
        self.stage_change_ids: Iterator[int] = next_id_counter(StageChange)
        self.activity_ids: Iterator[int] = next_id_counter(Activity)

    @property
    def pending_contacts(self) -> int:
        return len(self.contacts.pending)

    def flush(self) -> None:
        """Write everything buffered in one transaction, parents before children."""
        with transaction.atomic(using=self.connection.alias):
            for table in (
                self.companies, self.contacts, self.deals, self.touchpoints, self.stage_changes, self.activities,
            ):  # fmt: skip
                table.flush()

    def reset_sequences(self) -> None:
        reset_sequences(self.connection, [Company, Contact, Deal, Touchpoint, StageChange, Activity])
