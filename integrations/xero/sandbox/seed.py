"""Seeded organisations: two demo companies with realistic settings data and stable ids.

Ids are uuid5 values so they survive restarts; tests and demo users can rely on them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

_NS = uuid.UUID("6f1d0c6e-8a53-4b8e-9a7c-5d1f0e2b3a47")

DEMO_AU_ORG_ID = str(uuid.uuid5(_NS, "org/AU"))
DEMO_NZ_ORG_ID = str(uuid.uuid5(_NS, "org/NZ"))
SEED_CREATED_TS = 1_700_000_000.0  # 2023-11-14, when the demo companies "were created"


def _sid(org_key: str, kind: str, name: str) -> str:
    return str(uuid.uuid5(_NS, f"{org_key}/{kind}/{name}"))


@dataclass
class TaxRateSeed:
    name: str
    tax_type: str
    rate: Decimal
    report_tax_type: str
    revenue: bool = True
    expenses: bool = False


@dataclass
class OrgSeed:
    key: str
    org_id: str
    name: str
    legal_name: str
    country: str
    currency: str
    timezone: str
    short_code: str
    tax_rates: list[TaxRateSeed] = field(default_factory=list)
    #: Currencies enabled in the organisation (multi-currency), the base currency first.
    currencies: list[tuple[str, str]] = field(default_factory=list)


_AU_TAX = [
    TaxRateSeed("GST on Income", "OUTPUT", Decimal("10"), "OUTPUT"),
    TaxRateSeed("GST Free Income", "EXEMPTOUTPUT", Decimal("0"), "EXEMPTOUTPUT"),
    TaxRateSeed("GST Free Exports", "EXEMPTEXPORT", Decimal("0"), "EXEMPTEXPORT"),
    TaxRateSeed("Input Taxed", "INPUTTAXED", Decimal("0"), "INPUTTAXED", expenses=True),
    TaxRateSeed("BAS Excluded", "BASEXCLUDED", Decimal("0"), "BASEXCLUDED", expenses=True),
    TaxRateSeed("GST on Expenses", "INPUT", Decimal("10"), "INPUT", revenue=False, expenses=True),
    TaxRateSeed("GST Free Expenses", "EXEMPTEXPENSES", Decimal("0"), "EXEMPTEXPENSES", revenue=False, expenses=True),
    TaxRateSeed("GST on Imports", "GSTONIMPORTS", Decimal("0"), "GSTONIMPORTS", revenue=False, expenses=True),
    TaxRateSeed("No GST", "NONE", Decimal("0"), "NONE", expenses=True),
]
_NZ_TAX = [
    TaxRateSeed("15% GST on Income", "OUTPUT2", Decimal("15"), "OUTPUT"),
    TaxRateSeed("Zero Rated", "ZERORATED", Decimal("0"), "OUTPUT"),
    TaxRateSeed("15% GST on Expenses", "INPUT2", Decimal("15"), "INPUT", revenue=False, expenses=True),
    TaxRateSeed("GST on Imports", "GSTONIMPORTS", Decimal("0"), "GSTONIMPORTS", revenue=False, expenses=True),
    TaxRateSeed("No GST", "NONE", Decimal("0"), "NONE", expenses=True),
]

_AUD, _NZD, _USD = ("AUD", "Australian Dollar"), ("NZD", "New Zealand Dollar"), ("USD", "United States Dollar")

ORG_SEEDS = [
    OrgSeed("AU", DEMO_AU_ORG_ID, "Demo Company (AU)", "Demo Company (AU) Pty Ltd", "AU", "AUD",
            "AUSEASTERNSTANDARDTIME", "!Dmo1A", _AU_TAX, [_AUD, _NZD, _USD]),
    OrgSeed("NZ", DEMO_NZ_ORG_ID, "Demo Company (NZ)", "Demo Company (NZ) Limited", "NZ", "NZD",
            "NEWZEALANDSTANDARDTIME", "!Dmo2N", _NZ_TAX, [_NZD, _AUD]),
]  # fmt: skip

# (code, name, type, class, tax type key: "out"/"in"/"none"/"exempt", system account)
_ACCOUNTS: list[tuple[str, str, str, str, str, str | None]] = [
    ("090", "Business Bank Account", "BANK", "ASSET", "none", None),
    ("200", "Sales", "REVENUE", "REVENUE", "out", None),
    ("260", "Other Revenue", "REVENUE", "REVENUE", "out", None),
    ("270", "Interest Income", "REVENUE", "REVENUE", "exempt", None),
    ("310", "Cost of Goods Sold", "DIRECTCOSTS", "EXPENSE", "in", None),
    ("400", "Advertising", "OVERHEADS", "EXPENSE", "in", None),
    ("449", "Motor Vehicle Expenses", "OVERHEADS", "EXPENSE", "in", None),
    ("610", "Accounts Receivable", "CURRENT", "ASSET", "none", "DEBTORS"),
    ("800", "Accounts Payable", "CURRLIAB", "LIABILITY", "none", "CREDITORS"),
    ("820", "GST", "CURRLIAB", "LIABILITY", "none", "GST"),
]
_TAX_KEYS = {
    "AU": {"out": "OUTPUT", "in": "INPUT", "none": "BASEXCLUDED", "exempt": "EXEMPTOUTPUT"},
    "NZ": {"out": "OUTPUT2", "in": "INPUT2", "none": "NONE", "exempt": "ZERORATED"},
}
_REGIONS = ["Eastside", "North", "South", "West Coast"]
_THEMES = [("Standard", 0), ("Special Projects", 1)]


def organisation_record(seed: OrgSeed) -> dict[str, Any]:
    from .shapes import ms_datetime

    return {
        "OrganisationID": seed.org_id,
        "APIKey": "",
        "Name": seed.name,
        "LegalName": seed.legal_name,
        "PaysTax": True,
        "Version": seed.country,
        "OrganisationType": "COMPANY",
        "BaseCurrency": seed.currency,
        "CountryCode": seed.country,
        "IsDemoCompany": True,
        "OrganisationStatus": "ACTIVE",
        "FinancialYearEndDay": 30 if seed.country == "AU" else 31,
        "FinancialYearEndMonth": 6 if seed.country == "AU" else 3,
        "SalesTaxBasis": "ACCRUALS" if seed.country == "AU" else "INVOICE",
        "SalesTaxPeriod": "QUARTERLY1" if seed.country == "AU" else "TWOMONTHS",
        "DefaultSalesTax": "Tax Exclusive",
        "DefaultPurchasesTax": "Tax Inclusive",
        "CreatedDateUTC": ms_datetime(SEED_CREATED_TS),
        "Timezone": seed.timezone,
        "OrganisationEntityType": "COMPANY",
        "ShortCode": seed.short_code,
        "Class": "DEMO",
        "Edition": "BUSINESS",
        "LineOfBusiness": "Freight forwarding",
        "Addresses": [],
        "Phones": [],
        "ExternalLinks": [],
        "PaymentTerms": {},
    }


def accounts(seed: OrgSeed) -> list[dict[str, Any]]:
    from .shapes import ms_datetime

    keys = _TAX_KEYS[seed.key]
    out = []
    for code, name, type_, class_, tax_key, system in _ACCOUNTS:
        account: dict[str, Any] = {
            "AccountID": _sid(seed.key, "account", code),
            "Code": code,
            "Name": name,
            "Status": "ACTIVE",
            "Type": type_,
            "TaxType": keys[tax_key],
            "Class": class_,
            "EnablePaymentsToAccount": False,
            "ShowInExpenseClaims": type_ == "OVERHEADS",
            "ReportingCode": class_[:3],
            "ReportingCodeName": class_.title(),
            "HasAttachments": False,
            "UpdatedDateUTC": ms_datetime(SEED_CREATED_TS),
            "AddToWatchlist": False,
        }
        if type_ == "BANK":
            account.update(
                {"BankAccountNumber": "062000123456", "BankAccountType": "BANK", "CurrencyCode": seed.currency}
            )
        if system:
            account["SystemAccount"] = system
        out.append(account)
    return out


def tax_rates(seed: OrgSeed) -> list[dict[str, Any]]:
    out = []
    for rate in seed.tax_rates:
        label = "GST" if rate.rate else "None"
        out.append(
            {
                "Name": rate.name,
                "TaxType": rate.tax_type,
                "ReportTaxType": rate.report_tax_type,
                "CanApplyToAssets": rate.expenses,
                "CanApplyToEquity": rate.expenses,
                "CanApplyToExpenses": rate.expenses,
                "CanApplyToLiabilities": rate.expenses,
                "CanApplyToRevenue": rate.revenue,
                "DisplayTaxRate": float(rate.rate),
                "EffectiveRate": float(rate.rate),
                "Status": "ACTIVE",
                "TaxComponents": [
                    {"Name": label, "Rate": float(rate.rate), "IsCompound": False, "IsNonRecoverable": False}
                ],
            }
        )
    return out


def currencies(seed: OrgSeed) -> list[dict[str, Any]]:
    return [{"Code": code, "Description": description} for code, description in seed.currencies]


def tracking_categories(seed: OrgSeed) -> list[dict[str, Any]]:
    category_id = _sid(seed.key, "tracking", "Region")
    options = [
        {"TrackingOptionID": _sid(seed.key, "option", name), "Name": name, "Status": "ACTIVE",
         "TrackingCategoryID": category_id}
        for name in _REGIONS
    ]  # fmt: skip
    return [{"TrackingCategoryID": category_id, "Name": "Region", "Status": "ACTIVE", "Options": options}]


def branding_themes(seed: OrgSeed) -> list[dict[str, Any]]:
    from .shapes import ms_datetime

    return [
        {"BrandingThemeID": _sid(seed.key, "theme", name), "Name": name, "Type": "INVOICE", "SortOrder": order,
         "CreatedDateUTC": ms_datetime(SEED_CREATED_TS)}
        for name, order in _THEMES
    ]  # fmt: skip
