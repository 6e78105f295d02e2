"""Normalisation rules: dates, vocabularies, numbers, text; property tests for date parsing."""

from __future__ import annotations

import datetime as dt
import unicodedata

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.ingest.normalize import PROBLEMS, int_expr, parse_columns, parse_date_expr, vocabulary_expr
from pipelines.text import clean_text_expr, fold, fold_compact
from schemas.records import DOSSIER


def parse_dates(values: list[str | None]) -> list[dt.date | None]:
    return pl.DataFrame({"v": values}, schema={"v": pl.String}).select(parse_date_expr(pl.col("v")).alias("v"))["v"].to_list()


@pytest.mark.parametrize("text, expected", [
    ("03/04/2023", dt.date(2023, 4, 3)),          # day first: 3 April
    ("3/4/2023", dt.date(2023, 4, 3)),
    ("3/4/23", dt.date(2023, 4, 3)),
    ("03-04-2023", dt.date(2023, 4, 3)),
    ("03.04.2023", dt.date(2023, 4, 3)),
    ("03/04/2023 14:35", dt.date(2023, 4, 3)),
    ("03/04/2023 14:35:10", dt.date(2023, 4, 3)),
    ("3/4/2023 2:05:00 PM", dt.date(2023, 4, 3)),
    ("2023-04-03", dt.date(2023, 4, 3)),
    ("2023-04-03 00:00:00", dt.date(2023, 4, 3)),  # what calamine gives for a real Excel date cell
    ("2023-04-03T08:00:00", dt.date(2023, 4, 3)),
    ("45019", dt.date(2023, 4, 3)),               # Excel serial number
    ("45019.5", dt.date(2023, 4, 3)),
    (" 03/04/2023 ", dt.date(2023, 4, 3)),
    ("31/02/2024", None),                          # impossible day
    ("29/02/2024", dt.date(2024, 2, 29)),
    ("29/02/2023", None),
    ("13/13/2023", None),
    ("12345", None),                               # a number that is no Excel date of our era
    ("01/01/0099", dt.date(99, 1, 1)),             # four digits are the year as written, never 20yy
    ("hôm qua", None),
    ("", None),
    (None, None),
])
def test_date_forms(text, expected):
    assert parse_dates([text]) == [expected]


FORMS = [
    lambda d: f"{d.day:02d}/{d.month:02d}/{d.year}",
    lambda d: f"{d.day}/{d.month}/{d.year % 100:02d}",
    lambda d: f"{d.day:02d}-{d.month:02d}-{d.year}",
    lambda d: d.isoformat(),
    lambda d: f"{d.isoformat()} 00:00:00",
    lambda d: f"{d.day}/{d.month}/{d.year} 7:30",
    lambda d: str((d - dt.date(1899, 12, 30)).days),
]


@settings(max_examples=300, deadline=None)
@given(day=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31)),
       form=st.sampled_from(range(len(FORMS))))
def test_every_written_form_of_a_date_parses_back_to_it(day, form):
    assert parse_dates([FORMS[form](day)]) == [day]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=25))
def test_parsing_never_raises_and_gives_a_date_or_null(text):
    [parsed] = parse_dates([text])
    assert parsed is None or isinstance(parsed, dt.date)


@pytest.mark.parametrize("raw, expected", [
    ("Đã trả kết quả", "completed"), ("ĐÃ TRẢ KẾT QUẢ", "completed"), ("da tra ket qua", "completed"),
    (unicodedata.normalize("NFD", "Đang giải quyết"), "pending"), ("  Trả lại ", "returned"),
    ("Rút hồ sơ", "withdrawn"), ("completed", "completed"), ("xong rồi", None), (None, None),
])
def test_dossier_status_vocabulary(raw, expected):
    frame = pl.DataFrame({"v": [raw]}, schema={"v": pl.String})
    assert frame.select(vocabulary_expr(pl.col("v"), "dossier_status").alias("v"))["v"].to_list() == [expected]


@pytest.mark.parametrize("raw, expected", [("x", "true"), ("X", "true"), ("Có", "true"), ("1", "true"),
                                           ("Không", "false"), ("0", "false"), ("1.0", "true"), ("có lẽ", None)])
def test_yes_no_words(raw, expected):
    frame = pl.DataFrame({"v": [raw]})
    assert frame.select(vocabulary_expr(pl.col("v"), "yes_no").alias("v"))["v"].to_list() == [expected]


@pytest.mark.parametrize("raw, expected", [("Rất hài lòng", "5"), ("Hài lòng", "4"), ("Bình thường", "3"),
                                           ("Không hài lòng", "2"), ("5", "5"), ("4.0", "4"), ("6", None)])
def test_rating_words_and_numbers(raw, expected):
    frame = pl.DataFrame({"v": [raw]})
    assert frame.select(vocabulary_expr(pl.col("v"), "rating").alias("v"))["v"].to_list() == [expected]


def test_integers_tolerate_excel_floats_but_not_words():
    frame = pl.DataFrame({"v": ["2", "2.0", " 3 ", "-1", "hai", None]})
    assert frame.select(int_expr(pl.col("v")))["v"].to_list() == [2, 2, 3, -1, None, None]


def test_year_zero_is_not_2000_and_a_count_too_large_to_store_is_no_count():
    """Issue 8.9: '01/01/0000' once loaded as 01/01/2000; 2,147,483,648 became NULL on load."""
    years = pl.DataFrame({"v": ["01/01/0000", "1/1/00"]}).select(parse_date_expr(pl.col("v")).dt.year().alias("v"))
    assert years["v"].to_list() == [0, 2000]
    counts = pl.DataFrame({"v": ["2147483647", "2147483648", "-2147483648", "9" * 30]})
    assert counts.select(int_expr(pl.col("v")).alias("v"))["v"].to_list() == [2147483647, None, None, None]


def test_text_is_nfc_trimmed_and_empty_is_null():
    frame = pl.DataFrame({"v": [unicodedata.normalize("NFD", "  Hộ   tịch "), "   ", None]})
    assert frame.select(clean_text_expr(pl.col("v")).alias("v"))["v"].to_list() == ["Hộ tịch", None, None]


def test_fold_ignores_case_diacritics_spacing_and_punctuation():
    assert fold("NGÀY  Tiếp-nhận") == "ngay tiep nhan"
    assert fold_compact("Ngày_tiếp nhận") == fold_compact("NgayTiepNhan") == "ngaytiepnhan"
    assert fold("Đơn thư") == "don thu"


def test_parse_columns_lists_each_problem_with_column_and_value():
    raw = pl.DataFrame({"_row": [2, 3], "dossier_id": ["A", "B"], "received_date": ["01/03/2024", "99/99/2024"],
                        "supplement_requests": ["1", "nhiều"], "status": ["Đã trả kết quả", "???"]})
    parsed = parse_columns(raw, DOSSIER)
    assert [p.split("\n") if p else [] for p in parsed[PROBLEMS].to_list()] == [[], [
        "bad_date\tNgày tiếp nhận: '99/99/2024' không phải ngày hợp lệ (ngày/tháng/năm)",
        "unknown_value\tTrạng thái: giá trị không thuộc danh mục (Đang giải quyết, Đã trả kết quả, Trả lại, Rút hồ sơ)",
        "bad_number\tSố lần yêu cầu bổ sung: '(chữ, đã ẩn)' không phải số nguyên",
    ]]


def test_thousands_written_with_dots_or_commas():
    frame = pl.DataFrame({"v": ["1.000", "1,200", "12.345.678", "2.00", "1.5", "1.20"]})
    assert frame.select(int_expr(pl.col("v")).alias("v"))["v"].to_list() == [1000, 1200, 12345678, 2, None, None]


def test_a_due_date_may_lie_ahead_but_an_event_may_not():
    """A dossier received today is due in the weeks ahead: only what happened (received, completed …)
    is refused when in the future; a promise is refused only beyond a year."""
    import datetime as dt

    from pipelines.ingest.normalize import derive_and_check
    from schemas.records import RECORD_SCHEMAS

    today = dt.date(2026, 11, 22)
    frame = pl.DataFrame({
        "dossier_id": ["A", "B", "C"], "received_date": [today, today + dt.timedelta(days=30), today],
        "due_date": [today + dt.timedelta(days=30), today + dt.timedelta(days=40), today + dt.timedelta(days=400)],
        "completed_date": [None, None, None], "status": ["pending"] * 3, "reported_timeliness": [None] * 3,
        PROBLEMS: [None, None, None]}, schema_overrides={"completed_date": pl.Date, "reported_timeliness": pl.String,
                                                        PROBLEMS: pl.String})
    checked = derive_and_check(frame, RECORD_SCHEMAS["dossier"], today, dt.date(2000, 1, 1), 1)
    reasons = [None if p is None else p.split("\t")[0] for p in checked[PROBLEMS].to_list()]
    assert reasons == [None, "future_date", "future_date"]
