"""Pure rules: the image check, the reply deadline on the official calendar, the reply and
late-identification rules, the ID number of the standard reply template."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from identity_check.domain import model
from identity_check.domain.identity import check_id_number, identified_person
from identity_check.domain.model import (
    CheckRequest,
    Finding,
    FindingKind,
    Outcome,
    RequestStatus,
)
from identity_check.domain.photos import PhotoLimits, PhotoRejected, inspect_image
from medaid_shared.calendar import WorkingCalendar
from medaid_shared.errors import Conflict, RuleViolation, ValidationFailed

from .helpers import VALID_ID, image_bytes

SH = ZoneInfo("Asia/Shanghai")
LIMITS = PhotoLimits(max_bytes=2_000_000, min_width=300, min_height=300, max_pixels=20_000_000, min_contrast=16)


# ---------------------------------------------------------------- GD-16.1 image check


def test_gd_16_1_real_jpeg_and_png_pass_the_image_check() -> None:
    jpeg = inspect_image(image_bytes(480, 640, "JPEG"), LIMITS)
    png = inspect_image(image_bytes(400, 300, "PNG"), LIMITS)
    assert (jpeg.media_type, jpeg.width, jpeg.height) == ("image/jpeg", 480, 640)
    assert (png.media_type, png.width, png.height) == ("image/png", 400, 300)


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (b"", "empty"),
        (b"this is not an image at all" * 10, "not a decodable"),
        (image_bytes(400, 400, "GIF"), "not a decodable"),
        (image_bytes(400, 400, "BMP"), "not a decodable"),
        (image_bytes(480, 640, "JPEG")[:4000], "not a decodable"),  # truncated
        (image_bytes(200, 640, "JPEG"), "at least 300×300"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 5000, "not a decodable"),  # a JPEG header, then nothing
    ],
    ids=["empty", "text", "gif", "bmp", "truncated", "too-small", "fake-header"],
)
def test_gd_16_1_fake_or_unclear_images_are_rejected(data: bytes, needle: str) -> None:
    with pytest.raises(PhotoRejected) as err:
        inspect_image(data, LIMITS)
    assert needle in err.value.reason


def test_gd_16_1_oversized_image_is_rejected_before_decoding() -> None:
    data = image_bytes(480, 640, "PNG")
    with pytest.raises(PhotoRejected, match="larger than"):
        inspect_image(data, PhotoLimits(len(data) - 1, 300, 300, 20_000_000, 16))


def test_gd_16_1_blank_image_is_not_a_clear_photo() -> None:
    out = io.BytesIO()
    Image.new("RGB", (600, 800), (128, 128, 128)).save(out, format="PNG")
    with pytest.raises(PhotoRejected, match="blank"):
        inspect_image(out.getvalue(), LIMITS)


def test_gd_16_1_decompression_bomb_is_refused_by_pixel_count() -> None:
    data = image_bytes(600, 600, "PNG")
    with pytest.raises(PhotoRejected, match="pixels"):
        inspect_image(data, PhotoLimits(10_000_000, 300, 300, 600 * 600 - 1, 16))


def test_spec_0_4_rejection_messages_never_carry_the_bytes() -> None:
    data = b"SECRET-PHOTO-BYTES" * 100
    with pytest.raises(PhotoRejected) as err:
        inspect_image(data, LIMITS)
    assert "SECRET" not in str(err.value) and "SECRET" not in repr(err.value)


# ---------------------------------------------------------------- GD-16.2 deadline


def _local(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)


def test_gd_16_2_three_working_days_cross_national_day_and_the_make_up_saturday() -> None:
    """Received Wed 2026-09-30: Oct 1–7 are holidays, day 1 = Thu Oct 8, day 2 = Fri Oct 9,
    day 3 = Sat Oct 10 (make-up working day) — due at its end."""
    due = model.reply_deadline(WorkingCalendar(), _local(2026, 9, 30, 10, 0))
    assert due.at == _local(2026, 10, 10, 23, 59, 59).astimezone(UTC)
    assert not due.calendar_provisional


def test_gd_16_2_make_up_sunday_counts_as_a_working_day() -> None:
    """Received Fri 2026-09-18: Sat 19 is a rest day, Sun 20 a make-up working day (day 1)."""
    due = model.reply_deadline(WorkingCalendar(), _local(2026, 9, 18, 16, 0))
    assert due.at == _local(2026, 9, 22, 23, 59, 59).astimezone(UTC)


def test_gd_16_2_late_evening_letter_counts_from_the_next_local_day() -> None:
    """23:30 in Shanghai is 15:30 UTC on the same date: day 1 is the next local day."""
    due = model.reply_deadline(WorkingCalendar(), _local(2026, 11, 23, 23, 30))  # Monday
    assert due.at == _local(2026, 11, 26, 23, 59, 59).astimezone(UTC)


def test_gd_16_2_deadline_in_a_year_without_official_data_is_provisional() -> None:
    due = model.reply_deadline(WorkingCalendar(), _local(2026, 12, 30, 9, 0))
    assert due.calendar_provisional


def test_gd_16_2_reply_at_the_last_second_is_in_time_then_late() -> None:
    due = _local(2026, 10, 10, 23, 59, 59).astimezone(UTC)
    assert not model.is_late(due, due)
    assert not model.is_late(due + timedelta(milliseconds=999), due)
    assert model.is_late(due + timedelta(seconds=1), due)
    assert model.overdue_fire_at(due) == _local(2026, 10, 11, 0, 0, 0).astimezone(UTC)


def _request(status: RequestStatus = RequestStatus.AWAITING_REPLY) -> CheckRequest:
    now = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)
    return CheckRequest(
        id="r1",
        reference_number="IC-2026-H001-00001",
        facility_id="H001",
        facility_name="x",
        bureau_id="PSB01",
        patient_ref="A1",
        filed_by="d",
        received_at=now,
        reply_due_at=_local(2026, 10, 10, 23, 59, 59).astimezone(UTC),
        calendar_provisional=False,
        status=status,
        particulars_enc=b"",
    )


def _finding(kind: FindingKind, outcome: Outcome) -> Finding:
    return Finding("f", "r1", kind, outcome, datetime.now(UTC), "o", False)


def test_gd_16_2_one_final_reply_per_request() -> None:
    model.check_can_reply(_request(), [])
    model.check_can_reply(_request(RequestStatus.OVERDUE), [])  # late, but still the reply
    with pytest.raises(Conflict):
        model.check_can_reply(
            _request(RequestStatus.NOT_IDENTIFIED), [_finding(FindingKind.REPLY, Outcome.NOT_IDENTIFIED)]
        )
    with pytest.raises(Conflict):
        model.check_can_reply(_request(RequestStatus.IDENTIFIED), [])


def test_gd_16_4_late_identification_only_after_deadline_or_not_identified() -> None:
    req = _request()
    before = req.reply_due_at - timedelta(hours=1)
    after = req.reply_due_at + timedelta(seconds=1)
    with pytest.raises(RuleViolation):
        model.check_can_report_late_identification(req, [], before)
    model.check_can_report_late_identification(req, [], after)
    model.check_can_report_late_identification(_request(RequestStatus.OVERDUE), [], after)
    model.check_can_report_late_identification(
        _request(RequestStatus.NOT_IDENTIFIED), [_finding(FindingKind.REPLY, Outcome.NOT_IDENTIFIED)], before
    )
    with pytest.raises(Conflict):
        model.check_can_report_late_identification(_request(RequestStatus.IDENTIFIED), [], after)


def test_gd_15_the_letter_names_the_patient_by_admission_number_only() -> None:
    assert model.check_patient_ref("ZY2026-0001") == "ZY2026-0001"
    for bad in ("", " ", "x" * 65, "张三", "A B", "<script>"):
        with pytest.raises(ValueError):
            model.check_patient_ref(bad)


def test_spec_0_4_photo_retention_starts_when_the_case_closes() -> None:
    closed = datetime(2026, 10, 1, tzinfo=UTC)
    assert model.photo_purge_at(closed, 180) == datetime(2027, 3, 30, tzinfo=UTC)


# ---------------------------------------------------------------- GD-16.2 ID number


def test_gd_16_2_reply_id_number_is_validated_gb_11643() -> None:
    today = date(2026, 10, 1)
    assert check_id_number(VALID_ID.lower(), today) == VALID_ID.upper()
    wrong_check = VALID_ID[:17] + ("0" if VALID_ID[17] != "0" else "1")
    for bad in (wrong_check, VALID_ID[:17], "A" * 18, ""):
        with pytest.raises(ValidationFailed) as err:
            check_id_number(bad, today)
        assert err.value.field == "id_number" and err.value.rule == "GD-16.2"
        assert VALID_ID[:10] not in err.value.detail


def test_gd_16_2_id_number_with_an_impossible_birth_date_is_invalid() -> None:
    from medaid_shared.crypto import id_number_check_char

    for first17 in ("45020319901301123", "45020320300101123"):  # month 13; born in 2030
        number = first17 + id_number_check_char(first17)
        with pytest.raises(ValidationFailed, match="birth date"):
            check_id_number(number, date(2026, 10, 1))


def test_gd_16_2_identified_reply_needs_name_and_household_registration() -> None:
    person = identified_person(VALID_ID, " 张小三 ", "广西柳州市", date(2026, 10, 1))
    assert person.name_masked == "张*三" and person.id_number_masked == VALID_ID[:4] + "*" * 10 + VALID_ID[-4:]
    with pytest.raises(ValidationFailed, match="name"):
        identified_person(VALID_ID, " ", "广西", date(2026, 10, 1))
    with pytest.raises(ValidationFailed, match="household"):
        identified_person(VALID_ID, "张三", "", date(2026, 10, 1))
