from __future__ import annotations

from typing import Any

from django import forms

from jobs.filters import JobFilter
from jobs.forms import JobForm, charge_formset_class
from warehouse.models import WarehouseCharge, WarehouseJob
from warehouse.services import WAREHOUSE_FLOW


class WarehouseJobForm(JobForm):
    status_flow = WAREHOUSE_FLOW

    class Meta:
        model = WarehouseJob
        fields = [
            "customer",
            "customer_reference",
            "direction",
            "container_number",
            "kind",
            "status",
            "start_date",
            "end_date",
            "notes",
        ]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }


WarehouseChargeFormSet = charge_formset_class(WarehouseCharge)


class WarehouseJobFilter(JobFilter):
    class Meta:
        model = WarehouseJob
        fields = ["status", "customer", "kind"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["kind"].extra["empty_label"] = "Any kind"  # not Django's "---------"
