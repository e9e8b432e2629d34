"""The template's columns for each kind of upload: one row is one job, with up to three charges.

Charges sit on the job's own row (``Charge 1 description`` … ``Charge 3 account code``) rather than
on a second sheet keyed by row: a row stays self-contained, so sorting, filtering or deleting rows
in a spreadsheet can never detach a charge from its job, the CSV template is the same file as the
XLSX one, and "all or nothing" is simply "every row or none". A job with more charges gets the rest
on its page after the upload.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from django.db import models

from bookings.models import Booking, BookingCharge
from bookings.services import BOOKING_FLOW
from jobs.services import job_statuses_allowed
from uploads.models import UploadKind
from warehouse.models import WarehouseCharge, WarehouseJob, WarehouseJobKind
from warehouse.services import WAREHOUSE_FLOW

CHARGE_SLOTS = 3
CHARGE_PARTS = (
    ("description", "description", "text", "Linehaul Sydney to Melbourne"),
    ("quantity", "quantity", "decimal", "1"),
    ("unit_price", "unit price", "money", "450.00"),
    ("tax_code", "tax code", "tax_code", "GST"),
    ("account_code", "account code", "text", ""),
)


@dataclass(frozen=True)
class Column:
    key: str  # the job or charge field, e.g. "pickup_date" or "charge1_unit_price"
    header: str  # as written in the template's header row
    type: str  # customer, text, date, int, decimal, money, status, choice, tax_code
    field: models.Field  # type: ignore[type-arg]  # the model field whose length and validators apply
    required: bool = False
    help: str = ""
    example: str = ""

    @property
    def max_length(self) -> int | None:
        return getattr(self.field, "max_length", None)


@dataclass(frozen=True)
class Layout:
    """Everything that differs between a bookings file and a warehouse jobs file."""

    kind: str
    model: type[models.Model]
    charge_model: type[models.Model]
    flow: tuple[str, ...]
    columns: tuple[Column, ...]
    sheet_title: str
    date_pair: tuple[str, str]  # (earlier, later): the later may not come before the earlier

    @property
    def statuses(self) -> list[str]:
        return [str(s) for s in job_statuses_allowed(flow=self.flow, current=None)]

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def header_of(self, key: str) -> str:
        """The header a message names; a key outside the columns (e.g. ``"file"``) is shown as is."""
        for column in self.columns:
            if column.key == key:
                return column.header
        return "Charges" if key == "charges" else key


def _f(model: type[models.Model], name: str) -> models.Field:  # type: ignore[type-arg]
    return model._meta.get_field(name)  # type: ignore[return-value]


def _charge_columns(charge_model: type[models.Model]) -> list[Column]:
    columns = []
    for slot in range(1, CHARGE_SLOTS + 1):
        for part, label, kind, example in CHARGE_PARTS:
            columns.append(
                Column(
                    key=f"charge{slot}_{part}",
                    header=f"Charge {slot} {label}",
                    type=kind,
                    field=_f(charge_model, part),
                    help={
                        "description": "What is charged. Needed when any other Charge column of this number is filled.",
                        "quantity": "A number above 0; blank means 1.",
                        "unit_price": "Money, e.g. 450.00 (a negative amount is a discount).",
                        "tax_code": "One of your tax codes; blank means your default; NONE means no tax.",
                        "account_code": "Sales account; blank means your default account.",
                    }[part],
                    example=example if slot == 1 else "",
                )
            )
    return columns


def _common_head(model: type[models.Model]) -> list[Column]:
    return [
        Column(
            "customer",
            "Customer",
            "customer",
            _f(model, "customer"),
            required=True,
            help="The customer's code, or its exact name.",
            example="ACME",
        ),
        Column(
            "customer_reference",
            "Customer ref",
            "text",
            _f(model, "customer_reference"),
            help="The customer's own PO or job number. Must not repeat for the same customer.",
            example="PO-4711",
        ),
        Column(
            "direction",
            "Direction",
            "choice",
            _f(model, "direction"),
            help="import or export; blank means export.",
            example="import",
        ),
        Column(
            "container_number",
            "Container number",
            "text",
            _f(model, "container_number"),
            help="Container or consignment number; customers can search for it in the portal.",
            example="MSCU1234567",
        ),
    ]


def _status_column(model: type[models.Model], flow: tuple[str, ...]) -> Column:
    first = str(flow[0])
    return Column(
        "status",
        "Status",
        "status",
        _f(model, "status"),
        help=f"Blank means {first}. Any status before invoicing, e.g. booked or completed.",
        example="booked",
    )


@cache
def layout_for(kind: str) -> Layout:
    if kind == UploadKind.BOOKING:
        columns = [
            *_common_head(Booking),
            _status_column(Booking, BOOKING_FLOW),
            Column("consignor_name", "Consignor name", "text", _f(Booking, "consignor_name"), example="Acme Pty Ltd"),
            Column(
                "consignor_address", "Consignor address", "text", _f(Booking, "consignor_address"), example="1 Dock Rd"
            ),
            Column("consignee_name", "Consignee name", "text", _f(Booking, "consignee_name"), example="Bolt Retail"),
            Column(
                "consignee_address", "Consignee address", "text", _f(Booking, "consignee_address"), example="9 High St"
            ),
            Column(
                "pickup_date", "Pickup date", "date", _f(Booking, "pickup_date"), help=DATE_HELP, example="2026-03-02"
            ),
            Column(
                "delivery_date",
                "Delivery date",
                "date",
                _f(Booking, "delivery_date"),
                help=DATE_HELP + " Not before the pickup date.",
                example="2026-03-04",
            ),
            Column("pieces", "Pieces", "int", _f(Booking, "pieces"), help="Whole number; blank means 1.", example="3"),
            Column("weight_kg", "Weight kg", "decimal", _f(Booking, "weight_kg"), help="0 or more.", example="1250.5"),
            Column("volume_m3", "Volume m3", "decimal", _f(Booking, "volume_m3"), help="0 or more.", example="4.2"),
            Column("notes", "Notes", "text", _f(Booking, "notes"), example=""),
        ]
        return Layout(
            kind=kind,
            model=Booking,
            charge_model=BookingCharge,
            flow=tuple(str(s) for s in BOOKING_FLOW),
            columns=tuple(columns + _charge_columns(BookingCharge)),
            sheet_title="Bookings",
            date_pair=("pickup_date", "delivery_date"),
        )
    if kind == UploadKind.WAREHOUSE:
        columns = [
            *_common_head(WarehouseJob),
            Column(
                "kind",
                "Kind",
                "choice",
                _f(WarehouseJob, "kind"),
                help="inbound, outbound or storage; blank means inbound.",
                example="inbound",
            ),
            _status_column(WarehouseJob, WAREHOUSE_FLOW),
            Column(
                "start_date", "Start date", "date", _f(WarehouseJob, "start_date"), help=DATE_HELP, example="2026-03-02"
            ),
            Column(
                "end_date",
                "End date",
                "date",
                _f(WarehouseJob, "end_date"),
                help=DATE_HELP + " Not before the start date.",
                example="2026-03-31",
            ),
            Column("notes", "Notes", "text", _f(WarehouseJob, "notes"), example=""),
        ]
        return Layout(
            kind=kind,
            model=WarehouseJob,
            charge_model=WarehouseCharge,
            flow=tuple(str(s) for s in WAREHOUSE_FLOW),
            columns=tuple(columns + _charge_columns(WarehouseCharge)),
            sheet_title="Warehouse jobs",
            date_pair=("start_date", "end_date"),
        )
    raise ValueError(f"unknown upload kind {kind!r}")


DATE_HELP = "A date: 2026-03-02 or 2/3/2026 (day first), or an Excel date."
WAREHOUSE_KINDS = [str(k) for k in WarehouseJobKind.values]


def header_normalise(text: str) -> str:
    """``" Customer ref * "`` and ``"customer_reference"`` both become comparable keys."""
    return re.sub(r"[^a-z0-9]+", "", text.lower())


@cache
def header_index(kind: str) -> dict[str, str]:
    """Normalised header (or field key) → column key."""
    index = {}
    for column in layout_for(kind).columns:
        index[header_normalise(column.header)] = column.key
        index[header_normalise(column.key)] = column.key
    return index
