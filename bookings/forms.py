from __future__ import annotations

from django import forms

from bookings.models import Booking, BookingCharge
from bookings.services import BOOKING_FLOW
from jobs.filters import JobFilter
from jobs.forms import JobForm, charge_formset_class


class BookingForm(JobForm):
    status_flow = BOOKING_FLOW

    class Meta:
        model = Booking
        fields = [
            "customer",
            "customer_reference",
            "direction",
            "container_number",
            "status",
            "consignor_name",
            "consignor_address",
            "consignee_name",
            "consignee_address",
            "pickup_date",
            "delivery_date",
            "pieces",
            "weight_kg",
            "volume_m3",
            "notes",
        ]
        widgets = {
            "pickup_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "delivery_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }


BookingChargeFormSet = charge_formset_class(BookingCharge)


class BookingFilter(JobFilter):
    class Meta:
        model = Booking
        fields = ["status", "customer"]
