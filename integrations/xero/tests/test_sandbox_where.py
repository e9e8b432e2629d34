"""The sandbox's evaluator of Xero ``where`` filters (the subset clients actually send)."""

from __future__ import annotations

import pytest

from integrations.xero.sandbox.where import WhereError, compile_where

RECORD = {
    "Name": "Acme Pty",
    "ContactNumber": "C-001",
    "ContactStatus": "ACTIVE",
    "IsCustomer": True,
    "Contact": {"ContactID": "6b0f5c2e-9a1d-4c3e-8f7a-2b1c0d9e8f70"},
    "Date": "/Date(1764028800000+0000)/",
    "Total": 330.0,
}


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ('ContactNumber=="C-001"', True),
        ('ContactNumber=="c-001"', False),
        ('Name.ToLower()=="acme pty"', True),
        ('Name.ToUpper()=="ACME PTY"', True),
        ('Name=="Nope" OR ContactNumber=="C-001"', True),
        ('Name=="Nope" || ContactNumber=="C-001"', True),
        ('Name=="Acme Pty" AND ContactStatus=="ARCHIVED"', False),
        ('Name=="Acme Pty" && (ContactStatus=="ARCHIVED" || IsCustomer==true)', True),
        ('NOT Name=="Acme Pty"', False),
        ('Name!="Acme Pty"', False),
        ('Name.Contains("cme")', True),
        ('Name.StartsWith("Acme")', True),
        ('Name.EndsWith("Ltd")', False),
        ('Contact.ContactID==Guid("6B0F5C2E-9A1D-4C3E-8F7A-2B1C0D9E8F70")', True),
        ("Date>=DateTime(2025, 11, 25)", True),
        ("Date<DateTime(2025,11,25)", False),
        ("Total>300", True),
        ("Total<=329.99", False),
        ('Missing=="x"', False),
        ("Missing==null", True),
    ],
)
def test_where_expressions(where: str, expected: bool) -> None:
    assert compile_where(where)(RECORD) is expected


@pytest.mark.parametrize("where", ['Name=="open', "Name==", '(Name=="x"', 'Name.Explode("x")', "Name == 'x'"])
def test_malformed_where_is_rejected(where: str) -> None:
    with pytest.raises(WhereError):
        compile_where(where)
