"""Identifiers from outside medaid keep the shapes they really have: national item codes at
their real length, Chinese local codes, the hospital's admission number, the national
platform's ids and document numbers with Chinese punctuation — and nothing that could
break a printed page or a log line."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from medaid_shared.identifiers import DocumentNumber, HospitalAdmissionNo, ItemCode, MdtrtId, PsnNo, SetlId

CASES: list[tuple[Any, list[str], list[str]]] = [
    (
        ItemCode,
        ["XA01ABD075A002010100483", "C0102020010200100236", "001201000010000-120100001", "床位费", "CW/01.a"],
        ["", "-X", "_X", "X 1", "X" * 51, "X<1>", "X\n"],
    ),
    (HospitalAdmissionNo, ["ZY2026-001234", "住院2026001"], ["", "ZY 1", "Z" * 41, "/ZY"]),
    (PsnNo, ["45020000000000001234"], ["", "人员编号", "4502 0000", "9" * 31]),
    (MdtrtId, ["450200202612010000123", "M-77"], ["", "M_77", "M<77>"]),
    (SetlId, ["450200202612150000456"], ["", "S" * 31]),
    (
        DocumentNumber,
        ["柳财社〔2026〕88号", "国卫办医发〔2013〕32号", "民发[2014]106号", "桂财社（2026）12号 附件1", "GX-2026-001"],
        ["", "〔2026〕88号", "柳财社<2026>", 'a"b', "柳财社\n88号", "X" * 101],
    ),
]


@pytest.mark.parametrize(("kind", "good", "bad"), CASES)
def test_identifiers_accept_real_ones_and_refuse_the_rest(kind: Any, good: list[str], bad: list[str]) -> None:
    adapter: TypeAdapter[str] = TypeAdapter(kind)
    for value in good:
        assert adapter.validate_python(value) == value
    for value in bad:
        with pytest.raises(ValidationError):
            adapter.validate_python(value)
