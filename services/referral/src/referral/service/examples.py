"""Examples the OpenAPI document shows: real answers of the service's API, as /docs shows them
(ids as the service mints them, names and ID numbers masked as it masks them, times in UTC)."""

from typing import Any

EXAMPLE_REFERRAL_OUT: dict[str, Any] = {
    "referral_id": "01a0eae3-e900-78a9-90f8-ea13c9d6a726",
    "person_id": "01a0eae3-e900-7218-9e16-9655623d5ea3",
    "from_facility_id": "LJ-BPWSY",
    "to_facility_id": "LJ-RMYY",
    "first_visit_at": "2026-09-29T01:00:00Z",
    "slip_ref": "ZZ-LJBPWSY-2026-0412",
    "slip_doctor": "陆医生",
    "transfer_application_ref": None,
    "approval_state": "not_required",
    "approval_by": None,
    "approval_at": None,
    "approval_ref": None,
    "approval_reason": None,
    "created_at": "2026-09-29T02:00:00Z",
}

EXAMPLE_APPROVAL_IN: dict[str, Any] = {
    "approved": True,
    "reference": "柳江医保转〔2026〕7号",
    "reason": "区内无相应专科诊疗能力，需转诊市级医院",
}

EXAMPLE_ADMISSION_OUT: dict[str, Any] = {
    "admission_id": "01a0eae3-e900-7e7f-b837-e020f8626c6b",
    "person_id": "01a0eae3-e900-781c-a0d6-4cb6ad9d1e97",
    "facility_id": "LJ-RMYY",
    "referral_id": None,
    "admitted_at": "2026-09-28T22:00:00Z",
    "sent_to_hospital_at": "2026-09-28T21:45:00Z",
    "emergency": True,
    "able_to_pay": True,
    "support_type": "decentralized",
    "institution_id": None,
    "village_id": "LJ-BP-YLC",
    "town_id": "LJ-BP",
    "referral_compliance": {
        "compliant": True,
        "referral_slip": True,
        "primary_first_visit": True,
        "out_of_region_approved": None,
    },
    "filing_rule": "LJ-11.3",
    "filing_state": "pending",
    "filing_due_at": "2026-09-29T21:45:00Z",
    "unfiled_due_at": "2026-10-19T15:59:59Z",
    "filing_id": None,
    "phone_reported_at": None,
    "phone_form_due_at": None,
    "fit_at": None,
    "discharged_at": None,
    "documents_due_at": None,
    "disputed_at": None,
    "disputed_by": None,
    "dispute_reason": None,
    "hospital_admission_no": None,
    "psn_no": None,
    "mdtrt_id": None,
    "setl_id": None,
    "patient_fit_at": None,
    "patient_fit_report": None,
    "documents_withheld_report": None,
    "emergency_status": "determined",
    "emergency_due_at": "2026-09-29T22:00:00Z",
    "emergency_arrival_channel": "ambulance",
    "emergency_onset_at": "2026-09-28T21:40:00Z",
    "emergency_determined_at": "2026-09-29T02:00:00Z",
    "emergency_determined_by": "his-LJ-RMYY",
    "emergency_review": None,
    "unfiled_care_adviser": None,
    "diagnosis_group": None,
    "emergency_condition": "JW-01",
}

EXAMPLE_EMERGENCY_BASIS_IN: dict[str, Any] = {
    "condition_code": "JW-01",
    "arrival_channel": "ambulance",
    "onset_at": "2026-09-28T21:40:00Z",
}

EXAMPLE_FOLLOWUP_SUMMARY_OUT: dict[str, Any] = {
    "items": [{"town_id": "LJ-BP", "persons": 1, "overdue": 0, "unassessed": 1}]
}

EXAMPLE_FILING_OUT: dict[str, Any] = {
    "filing_id": "01a0eae3-e900-7c90-b9f2-55bc52cbccfe",
    "person_id": "01a0eae3-e900-70d6-8341-55af63f07474",
    "admission_id": "01a0eae3-e900-770e-b983-91d34b7a0520",
    "facility_id": "LJ-RMYY",
    "referral_id": "01a0eae3-e900-7c2e-90e5-797185c70689",
    "route": "decentralized",
    "planned_departure_at": None,
    "escort": None,
    "notes": None,
    "submitted_by": "vc-LJ-BP-YLC",
    "submitted_by_name": None,
    "submitted_role": "village_committee",
    "submitted_unit": "LJ-BP-YLC",
    "submitted_unit_name": None,
    "submitted_at": "2026-09-29T02:00:00Z",
    "forward_due_at": "2026-10-09T15:59:59Z",
    "forwarded_by": "town-LJ-BP",
    "forwarded_by_name": None,
    "forwarded_at": "2026-09-30T02:00:00Z",
    "town_opinion": "同意",
    "complete": True,
    "filing_state": "filed_in_time",
    "reason": "右股骨颈骨折，需住院手术",
}

EXAMPLE_FORWARD_IN: dict[str, Any] = {"opinion": "同意"}

EXAMPLE_FACILITY_OUT: dict[str, Any] = {
    "facility_id": "LJ-RMYY",
    "name": "柳江区人民医院",
    "level": "district",
    "designated": True,
    "region": "liujiang",
    "police_jurisdiction": "PSB-LJ",
    "city": "liuzhou",
    "version": 2,
    "updated_at": "2026-12-03T09:30:27.972292Z",
}

EXAMPLE_PERSON_OUT: dict[str, Any] = {
    "person_id": "0193a5b2-7c4e-7d11-9a3f-5b2c8e1f4a10",
    "name_masked": "覃*兰",
    "id_number_masked": "4502**********0039",
    "support_type": "centralized",
    "institution_id": "LJ-FLY",
    "village_id": None,
    "town_id": None,
    "disability_level": None,
    "trusteeship": None,
    "basic_insurance_enrolled": True,
    "version": 1,
}

EXAMPLE_DOCUMENT_ISSUED_OUT: dict[str, Any] = {
    "admission_id": "01a12d9f-a680-7647-84a6-5a0952da576b",
    "kind": "diagnosis_certificate",
    "issued_at": "2026-10-21T01:00:00Z",
    "late": False,
    "missing": ["discharge_summary", "itemised_cost_list"],
}

EXAMPLE_DOCUMENT_IN: dict[str, Any] = {"kind": "diagnosis_certificate", "document_ref": "LJRMYY-ZDZM-2026-0187"}

EXAMPLE_FOLLOWUP_OUT: dict[str, Any] = {
    "person_id": "019bbf2a-9e80-72a5-94d6-3c947f8b2511",
    "name_masked": "韦*强",
    "village_id": "LJ-BP-YLC",
    "town_id": "LJ-BP",
    "disability_level": "full",
    "last_visit_at": None,
    "due_at": "2026-02-15T15:59:59Z",
    "overdue": False,
}

EXAMPLE_PLAN_OUT: dict[str, Any] = {
    "plan_id": "019cacb3-f200-7517-b6df-ee972d637ced",
    "person_id": "019cacb3-f200-7ab6-840b-1acd995b8ab5",
    "admission_id": "019cacb3-f200-73c7-9d5b-232f59e2913f",
    "made_by": "inst-LJ-FLY",
    "made_role": "institution",
    "guardian_participated": False,
    "plan": "康复训练，每周两次；每月复查血压",
    "review_on": "2026-06-01",
    "made_at": "2026-03-02T04:00:00Z",
}

EXAMPLE_PERSON_SUMMARY_OUT: dict[str, Any] = {
    "person_id": "01a23b3d-bea9-732d-a017-7799923861a6",
    "name_masked": "覃*兰",
    "id_number_masked": "4502**********0039",
    "support_type": "centralized",
    "institution_id": "LJ-FLY",
    "village_id": None,
    "town_id": None,
    "disability_level": None,
}

EXAMPLE_UNASSESSED_OUT: dict[str, Any] = {
    "person_id": "01a0f00a-4500-7312-8b80-8e751a2ddfcc",
    "name_masked": "韦*强",
    "village_id": "LJ-BP-YLC",
    "town_id": "LJ-BP",
    "flag": "disability_assessment_needed",
    "rule": "LJ-16",
}

EXAMPLE_URGENT_CONDITION_OUT: dict[str, Any] = {
    "code": "JW-01",
    "name": "急性心肌梗死",
    "example": True,
    "source": "EXAMPLE — 需要紧急救治的急危重伤病标准及诊疗规范（国卫办医发〔2013〕32号）节选，仅为示例，以正式目录为准",
}

EXAMPLE_VIOLATION_OUT: dict[str, Any] = {
    "violation_id": "01a132ab-75a0-7fcf-9e22-455c16f370fc",
    "facility_id": "LJ-RMYY",
    "admission_id": "01a12d9f-a680-717f-b330-f705d39475dd",
    "kind": "documents_overdue",
    "rule": "LJ-12",
    "details": {"missing": ["diagnosis_certificate", "itemised_cost_list"]},
    "due_at": "2026-10-13T00:30:00Z",
    "recorded_at": "2026-10-13T00:31:00Z",
}

EXAMPLE_URGENT_CONDITIONS_LOAD_OUT: dict[str, Any] = {"loaded": 8, "example": True}

EXAMPLE_URGENT_CONDITIONS_IN: dict[str, Any] = {
    "example": True,
    "source": "EXAMPLE — 需要紧急救治的急危重伤病标准及诊疗规范（国卫办医发〔2013〕32号）节选，仅为示例，以正式目录为准",
    "conditions": [
        {"code": "JW-01", "name": "急性心肌梗死"},
        {"code": "JW-02", "name": "急性脑卒中"},
        {"code": "JW-03", "name": "严重多发伤"},
        {"code": "JW-04", "name": "急性呼吸衰竭"},
        {"code": "JW-05", "name": "休克"},
        {"code": "JW-06", "name": "急性上消化道大出血"},
        {"code": "JW-07", "name": "急性中毒"},
        {"code": "JW-08", "name": "心脏骤停"},
    ],
}

EXAMPLE_PERSON_LOOKUP_OUT: dict[str, Any] = {
    "person_id": "01a23b3d-c238-7b36-8540-a7969a1a8ab1",
    "destitute": True,
    "support_type": "decentralized",
    "institution_id": None,
    "town_id": "LJ-BP",
}

EXAMPLE_PERSON_LOOKUP: dict[str, Any] = {"id_number": "450206195001010039"}

EXAMPLE_HEALTH_PLAN_IN: dict[str, Any] = {
    "admission_id": "01a0f00a-4500-7f11-9e20-14dcac08dbda",
    "plan": "康复训练，每周随访",
    "guardian_participated": False,
}

EXAMPLE_PHONE_REPORT_IN: dict[str, Any] = {"reported_to": "柳江区民政局社会救助股"}

EXAMPLE_CARE_FILE_OUT: dict[str, Any] = {
    "person": {
        "person_id": "01a0eae3-e900-7a4d-8005-0b342ddf1797",
        "name_masked": "覃*兰",
        "id_number_masked": "4502**********0039",
        "support_type": "centralized",
        "institution_id": "LJ-FLY",
        "village_id": None,
        "town_id": None,
        "disability_level": None,
    },
    "entries": [
        {
            "at": "2026-09-29T01:00:00Z",
            "kind": "admission",
            "source": "referral",
            "ref_id": "01a0eae3-e900-7391-acd7-e2d93c2458de",
            "admission_id": "01a0eae3-e900-7391-acd7-e2d93c2458de",
            "summary": {
                "emergency": False,
                "able_to_pay": True,
                "facility_id": "LJ-RMYY",
                "filing_state": "pending",
                "referral_compliant": True,
            },
        },
        {
            "at": "2026-09-29T02:00:00Z",
            "kind": "referral",
            "source": "referral",
            "ref_id": "01a0eae3-e900-773d-96a1-fa6888d280c1",
            "admission_id": None,
            "summary": {
                "slip": True,
                "approval_state": "not_required",
                "to_facility_id": "LJ-RMYY",
                "from_facility_id": "LJ-BPWSY",
            },
        },
        {
            "at": "2026-09-30T01:00:00Z",
            "kind": "filing_overdue",
            "source": "referral",
            "ref_id": "01a0eae3-e900-7391-acd7-e2d93c2458de",
            "admission_id": "01a0eae3-e900-7391-acd7-e2d93c2458de",
            "summary": {"rule": "LJ-4.2b", "stage": "filing"},
        },
        {
            "at": "2026-10-08T02:00:00Z",
            "kind": "unfiled_care_adviser",
            "source": "referral",
            "ref_id": "01a0eae3-e900-7391-acd7-e2d93c2458de",
            "admission_id": "01a0eae3-e900-7391-acd7-e2d93c2458de",
            "summary": {"adviser_id": "LJ-BPWSY", "adviser_kind": "facility", "adviser_name": "柳江区百朋镇卫生院"},
        },
    ],
}

EXAMPLE_ID_NUMBER_OUT: dict[str, Any] = {
    "person_id": "01a23b3d-c49d-79f3-b196-b299231b2c46",
    "id_number": "450206195001010039",
}

EXAMPLE_ADVISER_IN: dict[str, Any] = {
    "adviser_kind": "facility",
    "adviser_id": "LJ-BPWSY",
    "evidence_ref": "MZ-2026-0931",
}

EXAMPLE_UNABLE_TO_PAY_IN: dict[str, Any] = {"reason": "无力支付：特困人员，无存款（GD-17）"}

EXAMPLE_VISIT_OUT: dict[str, Any] = {
    "visit_id": "019c6207-bfe8-7cc8-8d43-5c5e60cf019e",
    "person_id": "019bbf2a-9e80-72a5-94d6-3c947f8b2511",
    "visited_at": "2026-02-15T16:00:00Z",
    "was_overdue": True,
    "next_due_at": "2026-03-16T15:59:59Z",
}

EXAMPLE_VISIT_IN: dict[str, Any] = {
    "visited_at": "2026-02-15T16:00:00Z",
    "visitor": "百朋镇民政办 黄干事",
    "notes": "行动不便，需配助行器",
}

EXAMPLE_FACILITY_IN: dict[str, Any] = {
    "facility_id": "LJ-BPWSY",
    "name": "柳江区百朋镇卫生院",
    "level": "township_health_centre",
    "designated": True,
    "region": "liujiang",
    "police_jurisdiction": "PSB-LJ",
}

EXAMPLE_PATIENT_SIDE_REPORT_IN: dict[str, Any] = {
    "kind": "declared_fit",
    "at": "2026-10-01T02:00:00Z",
    "source": "主治医生 黄医生 查房时告知可出院",
}

EXAMPLE_EMERGENCY_REVIEW_IN: dict[str, Any] = {"upheld": True, "reason": "到院时生命体征平稳，属择期住院"}

EXAMPLE_FACILITY_PATCH: dict[str, Any] = {"designated": True}

EXAMPLE_PERSON_PATCH: dict[str, Any] = {"disability_level": "full", "reason": "2026年残疾等级复评为一级"}

EXAMPLE_VIOLATIONS_REPORT_OUT: dict[str, Any] = {
    "year": 2026,
    "items": [
        {
            "facility_id": "LJ-RMYY",
            "documents_overdue": 1,
            "late_discharge": 0,
            "total": 1,
            "name": "柳江区人民医院",
            "level": "district",
        }
    ],
}

EXAMPLE_WORK_ITEM_OUT: dict[str, Any] = {
    "item_id": "health_plan:01a0f00a-4500-7f11-9e20-14dcac08dbda",
    "kind": "health_plan",
    "person_id": "01a0f00a-4500-7aee-8adf-ddb256844dab",
    "name_masked": "覃*兰",
    "town_id": None,
    "village_id": None,
    "admission_id": "01a0f00a-4500-7f11-9e20-14dcac08dbda",
    "since": "2026-09-30T01:00:00Z",
    "due_at": None,
    "overdue": False,
    "summary_issued": True,
    "who": "institution",
    "rule": "LJ-15.1",
}
