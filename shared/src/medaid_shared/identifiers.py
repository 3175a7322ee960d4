"""Identifiers that come from outside medaid — from the hospital's own system, the national
medical-insurance platform and government documents — with the shapes they really have.

- **Item codes** (医保编码 and hospital local codes): the national catalogue's codes are up
  to 50 characters (the platform's ``med_list_codg``: drug codes such as
  ``XA01ABD075A002010100483``, consumables ``C0102020010200100236``, service items
  ``001201000010000-120100001``); a hospital's local code may be Chinese (``床位费``). So:
  Unicode letters and digits, and ``. - _ /`` inside.
- **The hospital's admission number** (住院号): the HIS's own number, printed on every form
  beside ours; letters (any script), digits and ``. - _ /``, up to 40.
- **National platform ids** — ``psn_no`` (人员编号), ``mdtrt_id`` (就诊 ID), ``setl_id``
  (结算 ID): the platform's identifiers of the insured person, the treatment episode and
  the settlement; ASCII letters and digits (and ``-``), up to 30, as the platform issues them.
- **Document numbers** (文号), such as ``柳财社〔2026〕88号`` or ``国卫办医发〔2013〕32号``:
  Chinese text with its own brackets and punctuation, up to 100.

Every pattern starts with a letter or digit, so no identifier is blank, starts with
punctuation or carries control characters, angle brackets or quotes into a printed page.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

ITEM_CODE_PATTERN = r"^[^\W_][\w.\-/]{0,49}$"
ADMISSION_NUMBER_PATTERN = r"^[^\W_][\w.\-/]{0,39}$"
NATIONAL_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9\-]{0,29}$"
DOCUMENT_NUMBER_PATTERN = r"^[^\W_][\w〔〕［］\[\]()（）【】《》\-－—/.．·・、:：,， 　]{0,99}$"

ItemCode = Annotated[
    str,
    Field(
        min_length=1,
        max_length=50,
        pattern=ITEM_CODE_PATTERN,
        description="a national medical-insurance code (医保编码) or the hospital's local code",
        examples=["XA01ABD075A002010100483", "001201000010000-120100001", "床位费"],
    ),
]

HospitalAdmissionNo = Annotated[
    str,
    Field(
        min_length=1,
        max_length=40,
        pattern=ADMISSION_NUMBER_PATTERN,
        description="the hospital's own admission number (住院号)",
        examples=["ZY2026-001234"],
    ),
]

PsnNo = Annotated[
    str,
    Field(
        min_length=1,
        max_length=30,
        pattern=NATIONAL_ID_PATTERN,
        description="the national platform's person number (人员编号, psn_no)",
        examples=["45020000000000001234"],
    ),
]

MdtrtId = Annotated[
    str,
    Field(
        min_length=1,
        max_length=30,
        pattern=NATIONAL_ID_PATTERN,
        description="the national platform's treatment-episode id (就诊 ID, mdtrt_id)",
        examples=["450200202612010000123"],
    ),
]

SetlId = Annotated[
    str,
    Field(
        min_length=1,
        max_length=30,
        pattern=NATIONAL_ID_PATTERN,
        description="the national platform's settlement id (结算 ID, setl_id)",
        examples=["450200202612150000456"],
    ),
]

DocumentNumber = Annotated[
    str,
    Field(
        min_length=1,
        max_length=100,
        pattern=DOCUMENT_NUMBER_PATTERN,
        description="a document number (文号), Chinese punctuation allowed",
        examples=["柳财社〔2026〕88号"],
    ),
]

ADMISSION_IDENTIFIERS: dict[str, str] = {
    "hospital_admission_no": "住院号",
    "psn_no": "医保人员编号",
    "mdtrt_id": "医保就诊ID",
    "setl_id": "医保结算ID",
}
"""The hospital's and the national platform's identifiers an admission carries, with the
label each has on a printed form (annex 1, annex 3, the settlement statement)."""
