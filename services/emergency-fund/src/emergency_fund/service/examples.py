"""Examples the OpenAPI document shows: real answers of the service's API, as /docs shows them
(ids as the service mints them, names and ID numbers masked as it masks them, times in UTC)."""

from typing import Any

from emergency_fund.service.reports import EXPORT_FIELDS

EXAMPLE_BLACKLIST_ADD_OUT: dict[str, Any] = {
    "entry_id": "BL-01a0b23df5007bf6b4f447db67a3e6f0",
    "city": "liuzhou",
    "name_masked": None,
    "id_number_masked": "4502**********0026",
    "reason": "虚报身份骗取救助",
    "evidence": ["公安复函 2026-018"],
    "case_id": None,
    "listed_at": "2026-09-18T02:00:00Z",
    "listed_by": "lzjz-agency-liu",
    "flagged_cases": [],
}

EXAMPLE_COMMITTEE_MEMBER_OUT: dict[str, Any] = {
    "member_id": "CM-019cac4615007bc18d05de3f0ba1016f",
    "city": "liuzhou",
    "name": "王医生",
    "affiliation": "medical_expert",
    "appointed_on": "2026-03-01",
    "created_at": "2026-03-02T02:00:00Z",
    "created_by": "lzwjw-yizheng-qin",
}

EXAMPLE_COMMITTEE_MEMBER_CMD: dict[str, Any] = {
    "name": "王医生",
    "affiliation": "medical_expert",
    "appointed_on": "2026-03-01",
}

EXAMPLE_CASE_OUT: dict[str, Any] = {
    "case_id": "EC-01a0b23df5007b358f0ae845abcdf6d0",
    "city": "liuzhou",
    "facility_id": "LZ-RMYY",
    "source": "hospital",
    "admission_id": None,
    "person_id": None,
    "patient_ref": "ZY2026091401",
    "identity_check_request_id": None,
    "admitted_at": "2026-09-14T00:00:00Z",
    "identity_status": "identified",
    "name_masked": "韦*梅",
    "id_number_masked": "4502**********0026",
    "destitute": False,
    "emergency_hours": 72,
    "extension_category": None,
    "extension_reason": None,
    "extension_hours": None,
    "extension_evidence": None,
    "extension_status": None,
    "extension_requested_by": None,
    "extension_requested_at": None,
    "extension_decided_by": None,
    "extension_decided_role": None,
    "extension_decided_at": None,
    "extension_decision_reason": None,
    "stay_ended_at": None,
    "stay_end_outcome": None,
    "stay_end_note": None,
    "stay_end_recorded_by": None,
    "stay_end_recorded_at": None,
    "stay_end_source": None,
    "unable_to_pay_basis": [],
    "civil_affairs_statuses": None,
    "waiver_amount": "0.00",
    "waiver_reason": None,
    "excluded": None,
    "excluded_reason": None,
    "exclusion_proposed": None,
    "exclusion_proposed_reason": None,
    "exclusion_proposed_by": None,
    "exclusion_proposed_at": None,
    "identity_gate": None,
    "identified_late": False,
    "letter_sent_late_at": None,
    "blacklist_flag": True,
    "claim_medical": None,
    "claim_living": None,
    "claimed_at": None,
    "application_id": None,
    "paid_amount": None,
    "state": "open",
    "created_at": "2026-09-18T02:00:00Z",
    "created_by": "his-LZ-RMYY",
    "updated_at": "2026-09-18T02:00:00Z",
    "disease_code": "I21",
    "cost_items": [
        {
            "cost_item_id": "CI-01a0b23df50070a79d9c5d037cd723b7",
            "case_id": "EC-01a0b23df5007b358f0ae845abcdf6d0",
            "occurred_at": "2026-09-14T01:00:00Z",
            "category": "treatment",
            "description": "急诊抢救",
            "in_catalogue": True,
            "amount": "1000.00",
            "exclusion": None,
            "exclusion_note": None,
            "exclusion_status": None,
            "exclusion_decided_by": None,
            "exclusion_decided_at": None,
            "exclusion_decision_reason": None,
            "recorded_at": "2026-09-18T02:00:00Z",
            "recorded_by": "his-LZ-RMYY",
        }
    ],
    "channel_payments": [],
    "civil_affairs_checks": [],
    "vagrant_registration": None,
}

EXAMPLE_DISEASE_OUT: dict[str, Any] = {
    "disease_id": "DZ-01a0b23df5007ca7a8960dab7b034d17",
    "code": "I21",
    "name": "急性心肌梗死",
    "scope": "national",
    "urgent_critical": True,
    "effective_from": "2013-01-01",
    "effective_to": None,
    "basis": "国卫办医发〔2013〕32号",
    "created_at": "2026-09-18T02:00:00Z",
    "created_by": "lzwjw-yizheng-qin",
}

EXAMPLE_DISEASE_CMD: dict[str, Any] = {
    "code": "I21",
    "name": "急性心肌梗死",
    "scope": "national",
    "urgent_critical": True,
    "effective_from": "2013-01-01",
    "basis": "国卫办医发〔2013〕32号",
}

EXAMPLE_INFLOW_OUT: dict[str, Any] = {
    "txn_id": "TX-01a0b23df50074a9b9b894751d100295",
    "city": "liuzhou",
    "source": "central_transfer",
    "amount": "1000000.00",
    "fiscal_year": 2026,
    "cash": "1000000.00",
}

EXAMPLE_TRAINING_OUT: dict[str, Any] = {
    "training_id": "TR-01a194d5c500721b8acdc4e60760f38d",
    "city": "liuzhou",
    "year": 2026,
    "held_on": "2026-11-01",
    "topic": "申请规范",
    "facility_ids": ["LZ-RMYY", "LZ-GRMYY"],
    "recorded_at": "2026-11-01T02:00:00Z",
    "recorded_by": "lzjz-agency-liu",
}

EXAMPLE_TRAINING_CMD: dict[str, Any] = {
    "held_on": "2026-11-01",
    "topic": "申请规范",
    "facility_ids": ["LZ-RMYY", "LZ-GRMYY"],
}

EXAMPLE_APPLICATION_OUT: dict[str, Any] = {
    "application_id": "FA-01a0b23df5007de1b794435ad6d6c9a5",
    "city": "liuzhou",
    "facility_id": "LZ-RMYY",
    "state": "agency_approved",
    "requested_amount": "2180.00",
    "approved_amount": "2180.00",
    "note": "",
    "flagged": True,
    "notice_flag": None,
    "submitted_at": "2026-09-18T02:00:00Z",
    "submitted_by": "his-LZ-RMYY",
    "updated_at": "2026-09-18T02:00:00Z",
    "cases": [
        {
            "application_id": "FA-01a0b23df5007de1b794435ad6d6c9a5",
            "case_id": "EC-01a0b23df5007b358f0ae845abcdf6d0",
            "medical_amount": "1000.00",
            "living_amount": "90.00",
            "claimed_amount": "1090.00",
            "approved_amount": "1090.00",
            "blacklist_flag": True,
            "withdrawn_reason": None,
            "billed": "1000.00",
            "in_catalogue": "1000.00",
            "cost_list": [
                {
                    "cost_item_id": "CI-01a0b23df50070a79d9c5d037cd723b7",
                    "occurred_at": "2026-09-14T01:00:00Z",
                    "category": "treatment",
                    "description": "急诊抢救",
                    "in_catalogue": True,
                    "amount": "1000.00",
                    "exclusion": None,
                    "exclusion_note": None,
                    "exclusion_status": None,
                    "exclusion_decided_by": None,
                    "exclusion_decided_at": None,
                    "exclusion_decision_reason": None,
                    "recorded_at": "2026-09-18T02:00:00Z",
                }
            ],
        },
        {
            "application_id": "FA-01a0b23df5007de1b794435ad6d6c9a5",
            "case_id": "EC-01a0b23df5007c65a5c867e2352e5d6d",
            "medical_amount": "1000.00",
            "living_amount": "90.00",
            "claimed_amount": "1090.00",
            "approved_amount": "1090.00",
            "blacklist_flag": False,
            "withdrawn_reason": None,
            "billed": "1000.00",
            "in_catalogue": "1000.00",
            "cost_list": [
                {
                    "cost_item_id": "CI-01a0b23df5007e298cf5c69e55adb37d",
                    "occurred_at": "2026-09-14T01:00:00Z",
                    "category": "treatment",
                    "description": "急诊抢救",
                    "in_catalogue": True,
                    "amount": "1000.00",
                    "exclusion": None,
                    "exclusion_note": None,
                    "exclusion_status": None,
                    "exclusion_decided_by": None,
                    "exclusion_decided_at": None,
                    "exclusion_decision_reason": None,
                    "recorded_at": "2026-09-18T02:00:00Z",
                }
            ],
        },
    ],
    "steps": [
        {
            "application_id": "FA-01a0b23df5007de1b794435ad6d6c9a5",
            "step": "agency",
            "started_at": "2026-09-18T02:00:00Z",
            "due_at": "2026-10-09T15:59:59Z",
            "calendar_provisional": False,
            "overdue": False,
            "decided_at": "2026-09-18T02:00:00Z",
            "outcome": "approved",
            "reviewer_id": "lzjz-agency-liu",
            "reviewer_role": "fund_agency",
            "reason": "经复核本次病情属实，予以受理",
            "late": False,
        },
        {
            "application_id": "FA-01a0b23df5007de1b794435ad6d6c9a5",
            "step": "health",
            "started_at": "2026-09-18T02:00:00Z",
            "due_at": "2026-09-24T15:59:59Z",
            "calendar_provisional": False,
            "overdue": False,
            "decided_at": None,
            "outcome": None,
            "reviewer_id": None,
            "reviewer_role": None,
            "reason": None,
            "late": False,
        },
    ],
    "co_review_notes": [],
    "notices": [],
    "disbursement": None,
}

EXAMPLE_CHANNEL_CONFIRMATION_OUT: dict[str, Any] = {
    "case_id": "EC-01a0b23df5007f7c943c13c4d2bd9101",
    "city": "liuzhou",
    "facility_id": "LZ-RMYY",
    "patient_ref": "ZY2026091402",
    "admitted_at": "2026-09-14T00:00:00Z",
    "identity_status": "identified",
    "name_masked": "韦*梅",
    "case_state": "in_application",
    "application_id": "FA-01a0b23df50079f9ad0341f44e3a5db2",
    "channel": "liable_party",
    "claimed_amount": "0.00",
    "reference": "",
    "recorded_at": "2026-09-18T02:00:00Z",
    "awaiting": "police",
    "rule": "GD-18.1",
}

EXAMPLE_CIVIL_AFFAIRS_CHECK_CMD: dict[str, Any] = {"statuses": ["minimum_living"]}

EXAMPLE_CO_REVIEW_NOTE_OUT: dict[str, Any] = {
    "note_id": "CR-01a0b23df50075b99aae46e86cf17bc2",
    "application_id": "FA-01a0b23df50076948ca5743a6dc443ca",
    "case_id": "EC-01a0b23df500723da9003019b57d2f50",
    "role": "police",
    "author": "psb-lz-cz-mo",
    "note": "身份核查无异常",
    "created_at": "2026-09-18T02:00:00Z",
}

EXAMPLE_CO_REVIEW_CMD: dict[str, Any] = {"note": "身份核查无异常", "case_id": "EC-01a0b23df500723da9003019b57d2f50"}

EXAMPLE_FUND_CREATED_OUT: dict[str, Any] = {
    "city": "liuzhou",
    "name": "柳州市疾病应急救助基金",
    "agency_name": "柳州市医疗保障事业管理中心",
    "created_at": "2026-09-18T02:00:00Z",
    "created_by": "lzjz-agency-liu",
}

EXAMPLE_DISBURSEMENT_OUT: dict[str, Any] = {
    "disbursement_id": "FD-01a0d64a7900716c8188a060c064d314",
    "application_id": "FA-01a0b23df50079879f962c431c3ff6fa",
    "city": "liuzhou",
    "facility_id": "LZ-RMYY",
    "amount": "15090.00",
    "from_preallocation": "0.00",
    "from_fund_cash": "15090.00",
    "txn_id": "TX-01a0d64a790078c79f7beca7aaf75408",
    "disbursed_at": "2026-09-25T02:00:00Z",
    "disbursed_by": "finance-1",
}

EXAMPLE_EXTENSION_REQUEST_OUT: dict[str, Any] = {
    "case_id": "EC-01a0b23df500769e8335848c46be3c5f",
    "city": "liuzhou",
    "facility_id": "LZ-RMYY",
    "patient_ref": "ZY2026091401",
    "admitted_at": "2026-09-14T00:00:00Z",
    "category": "critically_ill_newborn",
    "hours": 120,
    "reason": "新生儿窒息复苏后",
    "evidence": {"date_of_birth": "2026-09-12"},
    "requested_at": "2026-09-18T02:00:00Z",
    "rule": "GD-13.3",
}

EXAMPLE_EXCLUSION_CMD: dict[str, Any] = {"exclusion": "able_to_pay_refuses", "reason": "有存款拒付"}

EXAMPLE_EXCLUSION_DECISION_CMD: dict[str, Any] = {"decision": "rejected", "reason": "经核实无支付能力"}

EXAMPLE_EXCLUSION_PROPOSAL_OUT: dict[str, Any] = {
    "case_id": "EC-01a0b23df5007af1bb8eea239a231c0e",
    "city": "liuzhou",
    "facility_id": "LZ-RMYY",
    "patient_ref": "ZY2026091401",
    "case_state": "in_application",
    "application_id": "FA-01a0b23df5007708b3628ebdc7c865d8",
    "cost_item_id": "CI-01a0b23df500763291f3ea64706d76fb",
    "amount": "800.00",
    "exclusion": "beyond_treatment_need",
    "reason": "与救治无关",
    "proposed_at": "2026-09-18T02:00:00Z",
    "rule": "GD-14",
}

EXAMPLE_EXTENSION_CMD: dict[str, Any] = {
    "hours": 120,
    "category": "critically_ill_newborn",
    "reason": "新生儿窒息复苏后",
    "evidence": {"date_of_birth": "2026-09-12"},
}

EXAMPLE_EXTENSION_DECISION_CMD: dict[str, Any] = {"decision": "approved", "reason": "符合新生儿危重救治"}

EXAMPLE_FINANCE_REJECT_CMD: dict[str, Any] = {"reason": "资金未到位"}

EXAMPLE_FUND_USE_OUT: dict[str, Any] = {
    "year": 2026,
    "cities": ["liuzhou"],
    "months": [
        {
            "city": "liuzhou",
            "facility_id": "LZ-RMYY",
            "month": 9,
            "applications": 1,
            "amount": "30180.00",
            "from_preallocation": "0.00",
            "from_fund_cash": "30180.00",
        }
    ],
    "per_hospital": [{"city": "liuzhou", "facility_id": "LZ-RMYY", "amount": "30180.00"}],
    "total": "30180.00",
}

EXAMPLE_ASSESSMENT_OUT: dict[str, Any] = {
    "identity_status": "unidentified",
    "emergency_hours": 72,
    "period_end": "2026-09-17T00:00:00Z",
    "living_until": "2026-09-17T00:00:00Z",
    "billed": "18000.00",
    "excluded": {"after_emergency_period": "3000.00"},
    "waiver": "0.00",
    "eligible_medical": "15000.00",
    "channels_paid": "0.00",
    "medical_gap": "15000.00",
    "average_cost_cap": "20000.00",
    "medical_max": "15000.00",
    "living_daily": "30.00",
    "living_days": 3,
    "living_max": "90.00",
    "total_max": "15090.00",
    "rules": ["GD-13.3", "GD-14", "GD-13.1", "GD-13.4", "GD-13.5"],
    "blockers": [],
    "ready": True,
}

EXAMPLE_FUND_OUT: dict[str, Any] = {
    "city": "liuzhou",
    "name": "柳州市疾病应急救助基金",
    "agency_name": "柳州市医疗保障事业管理中心",
    "created_at": "2026-12-03T09:40:34.136763Z",
    "created_by": "lzjz-agency-liu",
    "cash": "1801234.56",
    "preallocated": {},
    "income": {
        "central_transfer": "1000000.00",
        "city_budget": "300000.00",
        "donation": "1234.56",
        "provincial_transfer": "500000.00",
    },
    "balances": {
        "fund_cash": "1801234.56",
        "income:central_transfer": "-1000000.00",
        "income:city_budget": "-300000.00",
        "income:donation": "-1234.56",
        "income:provincial_transfer": "-500000.00",
    },
    "trial_balance": "0.00",
}

EXAMPLE_ORGANISATION_OUT: dict[str, Any] = {
    "city": "liuzhou",
    "handling_agency": "柳州市医疗保障事业管理中心",
    "supervisory_committee": [
        {
            "member_id": "CM-019cac4615007bc18d05de3f0ba1016f",
            "city": "liuzhou",
            "name": "王医生",
            "affiliation": "medical_expert",
            "appointed_on": "2026-03-01",
            "created_at": "2026-03-02T02:00:00Z",
        }
    ],
}

EXAMPLE_REFUND_OUT: dict[str, Any] = {
    "refund_id": "RF-01a1570975007122a534e009b1b8752f",
    "case_id": "EC-01a0b23df5007725b7138c2c74f2cb07",
    "application_id": "FA-01a0b23df5007fe299f8d6085ddc729a",
    "city": "liuzhou",
    "facility_id": "LZ-RMYY",
    "amount": "15090.00",
    "refunded": "0.00",
    "reason": "GD-16.4：基金垫付后公安机关查明患者身份，由患者或其家属偿还",
    "identity_request_id": "01a23556-a300-7345-881e-33c26a9d0282",
    "state": "open",
    "demanded_at": "2026-10-20T02:00:00Z",
    "demanded_by": "system",
    "due_at": "2026-11-17T15:59:59Z",
    "calendar_provisional": False,
    "due_parameters_version": "refund_due:any:any:default",
    "overdue_at": "2026-11-17T16:00:30Z",
    "outstanding": "15090.00",
    "payments": [],
    "pursuit": [],
}

EXAMPLE_TRAINING_STATUS_OUT: dict[str, Any] = {
    "city": "liuzhou",
    "year": 2026,
    "rule": "GD-8",
    "trainings": [],
    "held": False,
    "reminder_at": "2026-11-01T01:00:00Z",
    "reminder_due": False,
}

EXAMPLE_REVIEW_CMD: dict[str, Any] = {"outcome": "approved"}

EXAMPLE_COST_AVERAGES_IMPORTED_OUT: dict[str, Any] = {"year": 2026, "imported": 2}

EXAMPLE_COST_AVERAGE_IMPORT: dict[str, Any] = {
    "year": 2026,
    "source": "2025 statistics",
    "rows": [
        {"facility_id": "LZ-RMYY", "disease_code": "I21", "average_cost": "20000.00"},
        {"facility_id": "LZ-GRMYY", "disease_code": "I21", "average_cost": "20000.00"},
    ],
}

EXAMPLE_ITEM_EXCLUSION_DECISION_CMD: dict[str, Any] = {"decision": "rejected", "reason": "属抢救用药"}

EXAMPLE_BLACKLIST_ENTRY_OUT: dict[str, Any] = {
    "entry_id": "BL-01a0b23df50076dc812f4646519693a3",
    "city": "liuzhou",
    "name_masked": "韦*梅",
    "id_number_masked": "4502**********0094",
    "reason": "伪造费用清单",
    "evidence": ["稽查报告"],
    "case_id": "EC-01a0b23df500705ebc22eb28ba0659e4",
    "listed_at": "2026-09-18T02:00:00Z",
    "listed_by": "lzjz-agency-liu",
    "lifted_at": "2026-09-18T02:00:00Z",
    "lifted_by": "lzjz-agency-liu",
    "lift_reason": "复议撤销",
}

EXAMPLE_LIFT_CMD: dict[str, Any] = {"reason": "复议撤销"}

EXAMPLE_APPLICATION_LIST_ITEM_OUT: dict[str, Any] = {
    "application_id": "FA-01a0b23df50077768b0e4c4ad8aac5d5",
    "city": "liuzhou",
    "facility_id": "LZ-RMYY",
    "state": "submitted",
    "requested_amount": "15090.00",
    "approved_amount": None,
    "note": "2026 年 9 月",
    "flagged": False,
    "notice_flag": None,
    "submitted_at": "2026-09-18T02:00:00Z",
    "submitted_by": "his-LZ-RMYY",
    "updated_at": "2026-09-18T02:00:00Z",
    "open_step": {
        "application_id": "FA-01a0b23df50077768b0e4c4ad8aac5d5",
        "step": "agency",
        "started_at": "2026-09-18T02:00:00Z",
        "due_at": "2026-10-09T15:59:59Z",
        "calendar_provisional": False,
        "overdue": True,
        "decided_at": None,
        "outcome": None,
        "reviewer_id": None,
        "reviewer_role": None,
        "reason": None,
        "late": False,
    },
}

EXAMPLE_CASE_SUMMARY_OUT: dict[str, Any] = {
    "case_id": "EC-01a0b23df50073f1b3750155c81ad30e",
    "city": "liuzhou",
    "facility_id": "LZ-RMYY",
    "source": "referral",
    "admission_id": "01a0b23d-f500-7a6e-9c3f-2b4d8e6f1a27",
    "person_id": "PER-1",
    "patient_ref": "ZY2026091403",
    "identity_check_request_id": None,
    "admitted_at": "2026-09-14T00:00:00Z",
    "identity_status": "identified",
    "name_masked": "黄*国",
    "id_number_masked": "4502**********0037",
    "destitute": True,
    "emergency_hours": 72,
    "extension_category": None,
    "extension_reason": None,
    "extension_hours": None,
    "extension_evidence": None,
    "extension_status": None,
    "extension_requested_by": None,
    "extension_requested_at": None,
    "extension_decided_by": None,
    "extension_decided_role": None,
    "extension_decided_at": None,
    "extension_decision_reason": None,
    "stay_ended_at": None,
    "stay_end_outcome": None,
    "stay_end_note": None,
    "stay_end_recorded_by": None,
    "stay_end_recorded_at": None,
    "stay_end_source": None,
    "unable_to_pay_basis": ["destitute"],
    "civil_affairs_statuses": None,
    "waiver_amount": "0.00",
    "waiver_reason": None,
    "excluded": None,
    "excluded_reason": None,
    "exclusion_proposed": None,
    "exclusion_proposed_reason": None,
    "exclusion_proposed_by": None,
    "exclusion_proposed_at": None,
    "identity_gate": None,
    "identified_late": False,
    "letter_sent_late_at": None,
    "blacklist_flag": False,
    "claim_medical": None,
    "claim_living": None,
    "claimed_at": None,
    "application_id": None,
    "paid_amount": None,
    "state": "open",
    "created_at": "2026-09-18T02:00:00Z",
    "created_by": "referral",
    "updated_at": "2026-09-18T02:00:00Z",
    "disease_code": None,
}

EXAMPLE_COST_AVERAGE_OUT: dict[str, Any] = {
    "facility_id": "LZ-RMYY",
    "disease_code": "I21",
    "year": 2026,
    "average_cost": "19000.00",
    "source": "卫健委 2025 年度统计",
    "imported_at": "2026-12-03T09:40:42.753481Z",
    "imported_by": "lzjz-agency-liu",
}

EXAMPLE_FACILITY_OUT: dict[str, Any] = {
    "facility_id": "LZ-RMYY",
    "city": "liuzhou",
    "name": "柳州市人民医院",
    "ownership": "public",
    "police_jurisdiction": "PSB-LZ-CZ",
    "source": "agency",
    "updated_at": "2026-12-03T09:40:41.174399Z",
}

EXAMPLE_LEDGER_TXN_OUT: dict[str, Any] = {
    "txn_id": "TX-01a23b46ef0b71419cd3312e4848d6db",
    "city": "liuzhou",
    "kind": "inflow",
    "fiscal_year": 2026,
    "ref": "liuzhou:donation:JZ-2026-0117",
    "source_ref": "JZ-2026-0117",
    "memo": "",
    "created_at": "2026-12-03T09:40:34.185343Z",
    "created_by": "lzjz-agency-liu",
    "created_role": "fund_agency",
    "entries": [{"account": "fund_cash", "amount": "1234.56"}, {"account": "income:donation", "amount": "-1234.56"}],
}

EXAMPLE_LIVING_STANDARD_OUT: dict[str, Any] = {
    "city": "liuzhou",
    "effective_from": "2026-01-01",
    "monthly_amount": "900.00",
    "source": "柳州市民政局 2026",
    "set_at": "2026-12-03T09:40:43.437544Z",
    "set_by": "civil-1",
}

EXAMPLE_REFUND_SUMMARY_OUT: dict[str, Any] = {
    "refund_id": "RF-01a1570975007fff9c4440e92e629611",
    "case_id": "EC-01a0b23df50071b09e06e4caaced7eb9",
    "application_id": "FA-01a0b23df5007b67ac885f2d94617d0c",
    "city": "liuzhou",
    "facility_id": "LZ-RMYY",
    "amount": "15090.00",
    "refunded": "0.00",
    "reason": "GD-16.4：基金垫付后公安机关查明患者身份，由患者或其家属偿还",
    "identity_request_id": "01a23556-a300-7345-881e-33c26a9d0282",
    "state": "open",
    "demanded_at": "2026-10-20T02:00:00Z",
    "demanded_by": "system",
    "due_at": "2026-11-17T15:59:59Z",
    "calendar_provisional": False,
    "due_parameters_version": "refund_due:any:any:default",
    "overdue_at": None,
}

EXAMPLE_PUBLIC_NOTICES_OUT: dict[str, Any] = {
    "generated_at": "2026-09-18T02:00:00Z",
    "rule": "GD-21",
    "notice_working_days": 3,
    "notices": [
        {
            "notice_id": "PN-01a0b23df500790c9f0979981ea8ba7f",
            "application_id": "FA-01a0b23df5007de29b356e81903148eb",
            "city": "liuzhou",
            "facility_id": "LZ-RMYY",
            "publisher": "hospital",
            "starts_at": "2026-09-18T02:00:00Z",
            "ends_at": "2026-09-22T15:59:59Z",
            "working_days": 3,
            "entries": [
                {
                    "amount": "15090.00",
                    "recipient": "身份不明患者 EC-01a0b",
                    "admitted_on": "2026-09-14",
                    "id_number_masked": None,
                }
            ],
            "total": "15090.00",
            "facility_name": "柳州市人民医院",
            "status": "running",
        }
    ],
}

EXAMPLE_NOTICES_RUNNING_OUT: dict[str, Any] = {
    "rule": "GD-21",
    "notices": [
        {
            "notice_id": "PN-01a0b23df500790c9f0979981ea8ba7f",
            "application_id": "FA-01a0b23df5007de29b356e81903148eb",
            "city": "liuzhou",
            "facility_id": "LZ-RMYY",
            "publisher": "hospital",
            "starts_at": "2026-09-18T02:00:00Z",
            "ends_at": "2026-09-22T15:59:59Z",
            "working_days": 3,
            "calendar_provisional": False,
            "total": "15090.00",
            "published_by": "his-LZ-RMYY",
            "working_days_left": 3,
        }
    ],
}


EXAMPLE_PREALLOCATION_OUT: dict[str, Any] = {
    "preallocation_id": "PA-01a23b46fa1c70238b7bf7c97d9f0365",
    "city": "liuzhou",
    "facility_id": "LZ-RMYY",
    "year": 2026,
    "kind": "allocation",
    "amount": "700000.00",
    "last_cycle_use": "0.00",
    "basis": "2025 年度实际使用",
    "txn_id": "TX-01a23b46fa207b07bb3c86b0b0ae8b8c",
    "created_at": "2026-12-03T09:40:37.008712Z",
    "created_by": "lzjz-agency-liu",
}

EXAMPLE_PREALLOCATION_CMD: dict[str, Any] = {
    "facility_id": "LZ-RMYY",
    "year": 2026,
    "amount": "700000.00",
    "basis": "2025 年度实际使用",
}

EXAMPLE_PREALLOCATION_CHECK_OUT: dict[str, Any] = {
    "year": 2026,
    "upper_level_transfers": "1500000.00",
    "min_share": "0.80",
    "required_minimum": "1200000.00",
    "preallocated": "1000000.00",
    "compliant": False,
    "shortfall": "200000.00",
    "rule": "GD-7",
    "year_end_check": None,
    "year_end_check_at": "2026-12-31T16:00:00Z",
}

EXAMPLE_PREALLOCATION_PLAN_OUT: dict[str, Any] = {
    "city": "liuzhou",
    "year": 2027,
    "ratio": "0.80",
    "rule": "GD-7",
    "hospitals": [
        {"facility_id": "LZ-RMYY", "last_cycle_use": "29090.00", "refunded": "0.00", "suggested": "23272.00"}
    ],
    "refunds_parameters_version": "preallocation_check:any:any:default",
    "suggested_total": "23272.00",
    "minimum_check_if_applied": {
        "year": 2027,
        "upper_level_transfers": "0.00",
        "min_share": "0.80",
        "required_minimum": "0.00",
        "preallocated": "23272.00",
        "compliant": True,
        "shortfall": "0.00",
        "rule": "GD-7",
    },
}

EXAMPLE_PREALLOCATION_RECONCILIATION_OUT: dict[str, Any] = {
    "city": "liuzhou",
    "year": 2026,
    "rule": "GD-7",
    "hospitals": [
        {
            "facility_id": "LZ-RMYY",
            "preallocated": "700000.00",
            "returned": "0.00",
            "approved_claims": "0.00",
            "set_against_advance": "0.00",
            "paid_from_fund": "0.00",
            "advance_outstanding": "700000.00",
        },
        {
            "facility_id": "LZ-GRMYY",
            "preallocated": "550000.00",
            "returned": "50000.00",
            "approved_claims": "0.00",
            "set_against_advance": "0.00",
            "paid_from_fund": "0.00",
            "advance_outstanding": "500000.00",
        },
    ],
}

EXAMPLE_NOTICE_OUT: dict[str, Any] = {
    "notice_id": "PN-01a0b23df50077d2ae6605407094ae53",
    "application_id": "FA-01a0b23df50079879f962c431c3ff6fa",
    "city": "liuzhou",
    "facility_id": "LZ-RMYY",
    "publisher": "hospital",
    "starts_at": "2026-09-18T02:00:00Z",
    "ends_at": "2026-09-22T15:59:59Z",
    "working_days": 3,
    "calendar_provisional": False,
    "entries": [
        {
            "recipient": "身份不明患者 EC-01a0b",
            "id_number_masked": None,
            "admitted_on": "2026-09-14",
            "amount": "15090.00",
        }
    ],
    "total": "15090.00",
    "published_by": "his-LZ-RMYY",
}

EXAMPLE_PURSUIT_CMD: dict[str, Any] = {"action": "letter", "note": "已函告患者家属"}

EXAMPLE_LIVING_STANDARD_CMD: dict[str, Any] = {
    "monthly_amount": "900.00",
    "effective_from": "2026-01-01",
    "source": "柳州市 2026 城市低保",
}

EXAMPLE_CASE_IDENTITY_OUT: dict[str, Any] = {
    "case_id": "EC-01a0b23df50077ad901f412c1e0118a1",
    "name": "韦秀梅",
    "id_number": "450206196203150026",
}

EXAMPLE_IDENTITY_READ_CMD: dict[str, Any] = {"reason": "与公安核对身份"}

EXAMPLE_REFUND_DEMAND_CMD: dict[str, Any] = {"reason": "经查实冒名顶替"}

EXAMPLE_REGISTRATION_BATCHES_OUT: dict[str, Any] = {
    "city": "liuzhou",
    "items": [
        {
            "batch_id": "RB-01a0d9b964e870338aa2388cd9565e2c",
            "city": "liuzhou",
            "seq": 1,
            "cursor": "1",
            "previous_seq": None,
            "created_at": "2026-09-25T18:00:01Z",
            "record_count": 1,
            "record_ids": ["EC-01a0b23df500762f919964b3cd104885"],
            "fields": list(EXPORT_FIELDS),
            "format": "csv",
            "encoding": "utf-8",
            "sha256": "29dc88b5b23429a0e681b769b9fb30855b42cd1f836dc06a04343c3f0b21f1d4",
            "file": "/v1/exports/registrations/batches/RB-01a0d9b964e870338aa2388cd9565e2c/file",
            "parameters_version": "registration_export:any:any:default",
            "rule": "GD-19",
        }
    ],
    "next_cursor": "1",
    "rule": "GD-19",
}

EXAMPLE_REGISTRATION_EXPORT_OUT: dict[str, Any] = {
    "fields": list(EXPORT_FIELDS),
    "items": [
        {
            "record_id": "EC-01a0b23df500781c86948bbec9b2b697",
            "city": "liuzhou",
            "facility_id": "LZ-RMYY",
            "facility_name": "柳州市人民医院",
            "admitted_at": "2026-09-14T00:00:00Z",
            "disease_code": "I21",
            "identity_status": "unidentified",
            "identified_late": "false",
            "name_masked": "",
            "id_number_masked": "",
            "destitute": "false",
            "civil_affairs_statuses": "",
            "unable_to_pay_basis": "",
            "vagrant_registration_no": "",
            "emergency_hours": "72",
            "extension_category": "",
            "billed_total": "15000.00",
            "waiver": "0.00",
            "channels_paid": "0.00",
            "claimed_medical": "15000.00",
            "claimed_living": "90.00",
            "approved_amount": "15090.00",
            "application_id": "FA-01a0b23df5007f4e9226a0273667d670",
            "application_state": "disbursed",
            "submitted_at": "2026-09-18T02:00:00Z",
            "hospital_notice_start": "2026-09-18T02:00:00Z",
            "hospital_notice_end": "2026-09-22T15:59:59Z",
            "agency_notice_start": "2026-09-21T02:00:00Z",
            "agency_notice_end": "2026-09-24T15:59:59Z",
            "disbursed_at": "2026-09-25T02:00:00Z",
            "paid_amount": "15090.00",
            "written_off_at": "",
            "refund_demanded": "",
            "refunded": "",
        }
    ],
    "next_cursor": None,
}

EXAMPLE_PREALLOCATION_RETURN_CMD: dict[str, Any] = {"facility_id": "LZ-GRMYY", "year": 2026, "amount": "50000.00"}

EXAMPLE_DISEASE_UPDATE: dict[str, Any] = {"disease_code": "I21"}

EXAMPLE_STAY_END_CMD: dict[str, Any] = {"outcome": "died", "at": "2026-09-14T06:00:00Z", "note": "抢救无效死亡"}

EXAMPLE_UNABLE_TO_PAY_CMD: dict[str, Any] = {"criteria": ["minimum_living"]}

EXAMPLE_VAGRANT_REGISTRATION_CMD: dict[str, Any] = {"registration_no": "JZ-2026-001", "agency": "柳州市救助管理站"}

EXAMPLE_CHANNEL_WAIVER_CMD: dict[str, Any] = {"reason": "医保系统维护，以医院结算单为准"}

EXAMPLE_WAIVER_CMD: dict[str, Any] = {"amount": "2000.00", "reason": "民营医院主动减免"}

EXAMPLE_WRITE_OFF_CMD: dict[str, Any] = {"vouchers": ["V-2026-001"], "note": "票据核对"}
EXAMPLE_RUNNING_NOTICE_OUT: dict[str, Any] = {**EXAMPLE_NOTICES_RUNNING_OUT["notices"][0], "rule": "GD-21"}

EXAMPLE_PUBLIC_NOTICE_OUT: dict[str, Any] = {**EXAMPLE_PUBLIC_NOTICES_OUT["notices"][0], "rule": "GD-21"}

EXAMPLE_OVERDUE_STEP_OUT: dict[str, Any] = {
    "application_id": "FA-01a0b23df5007de1b794435ad6d6c9a5",
    "step": "agency",
    "started_at": "2026-09-18T02:00:00Z",
    "due_at": "2026-10-09T15:59:59Z",
    "calendar_provisional": False,
    "decided_at": None,
    "late": True,
    "city": "liuzhou",
    "facility_id": "LZ-RMYY",
    "state": "submitted",
    "open": True,
    "rule": "GD-20.2",
}
