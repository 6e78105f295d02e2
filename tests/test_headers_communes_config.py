"""Header matching and kind detection, commune resolution, configuration validation, derived docs."""

from __future__ import annotations

import random
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.ingest.communes import commune_from_file_name, commune_from_title, resolve_commune
from pipelines.cli.docs import render_data_model
from pipelines.ingest.headers import HeaderError, alias_index, detect_header, map_header_row
from pipelines.text import fold_compact
from schemas.config import ConfigError, load_config
from schemas.records import LOCATION_COLUMNS, RECORD_SCHEMAS

ALL_ALIASES = [(kind, column.name, alias) for kind, schema in RECORD_SCHEMAS.items()
               for column in schema.columns for alias in column.aliases]


def test_no_alias_means_two_columns_within_a_kind():
    for kind, schema in RECORD_SCHEMAS.items():
        seen: dict[str, str] = {}
        for column in schema.columns + LOCATION_COLUMNS:
            for alias in column.aliases:
                key = fold_compact(alias)
                assert seen.setdefault(key, column.name) == column.name, (kind, alias, seen[key], column.name)


def _mangle(alias: str, rnd: random.Random) -> str:
    """What clerks do to a header: case, dropped diacritics, NFD, extra spaces, punctuation."""
    text = alias.upper() if rnd.random() < 0.3 else alias.title() if rnd.random() < 0.5 else alias
    if rnd.random() < 0.4:
        text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
        text = text.replace("đ", "d").replace("Đ", "D")
    elif rnd.random() < 0.3:
        text = unicodedata.normalize("NFD", text)
    text = text.replace(" ", rnd.choice([" ", "  ", "_", " - ", ""]))
    return rnd.choice(["", " ", "*"]) + text + rnd.choice(["", ":", " (*)", "  "])


@settings(max_examples=400, deadline=None)
@given(choice=st.sampled_from(ALL_ALIASES), seed=st.integers(0, 10**6))
def test_any_spelling_of_an_alias_maps_to_its_column(choice, seed):
    kind, column, alias = choice
    mapped, unknown = map_header_row(kind, [_mangle(alias, random.Random(seed))])
    assert mapped == {0: column} and unknown == []


def test_header_row_found_below_title_rows_and_kind_detected():
    preview = [["ỦY BAN NHÂN DÂN XÃ HOẰNG ĐỒNG", None], ["BÁO CÁO ĐƠN THƯ NĂM 2024"], [None],
               ["STT", "Số đơn", "Loại đơn", "Ngày nhận đơn", "Kết quả giải quyết", "Ghi chú", "Cột thêm"],
               ["1", "D1", "Khiếu nại", "01/02/2024", "", "", ""]]
    match = detect_header(preview)
    assert (match.kind, match.row_index) == ("petition", 3)
    assert match.columns == {1: "petition_id", 2: "kind", 3: "received_date", 4: "outcome"}
    assert match.unknown == ["Cột thêm"]  # STT and Ghi chú are known to carry no record data


@pytest.mark.parametrize("headers, kind", [
    (["Mã hồ sơ", "Ngày tiếp nhận", "Ngày hẹn trả"], "dossier"),
    (["Loại thư", "Ngày gửi", "Mã hồ sơ"], "letter"),
    (["Ngày đối thoại", "Số ý kiến", "Số ý kiến được giải đáp"], "dialogue"),
    (["Ngày khảo sát", "Mức độ hài lòng", "Tôn trọng"], "survey"),
    (["So don", "Loai don", "Ngay nhan don"], "petition"),
])
def test_each_kind_is_told_from_its_headers(headers, kind):
    assert detect_header([headers]).kind == kind


def test_no_header_or_a_kind_that_does_not_fit_is_a_clear_error():
    with pytest.raises(HeaderError, match="không tìm thấy dòng tiêu đề"):
        detect_header([["a", "b"], ["1", "2"]])
    with pytest.raises(HeaderError, match="loại 'survey'"):
        detect_header([["Mã hồ sơ", "Ngày tiếp nhận", "Ngày hẹn trả"]], kind="survey")


def test_alias_index_includes_location_columns():
    assert alias_index("dossier")[fold_compact("Xã/phường/thị trấn")] == "commune"


@pytest.mark.parametrize("value, district, code", [
    ("Thị trấn Hà Trung", None, "15271"), ("TT. Hà Trung", None, "15271"), ("ha trung", "Hà Trung", "15271"),
    ("Hà Trung", None, "15271"),          # with diacritics it is not Xã Hạ Trung (Bá Thước)
    ("Xã Hoằng Đồng", None, "15952"), ("Xã Hoằng Đông", None, "15997"),
    ("Lam Sơn", "Thọ Xuân", "15556"), ("Lam Sơn", "Huyện Ngọc Lặc", "15064"), ("P. Lam Sơn", "TX. Bỉm Sơn", "14815"),
    ("15271", None, "15271"), ("5271", None, None),
])
def test_commune_names_and_codes(value, district, code):
    # All legacy units: read in the legacy list (an export made before 1 July 2025).
    assert resolve_commune(value, district, "38", "legacy").code == code


def test_ambiguous_name_is_reported_with_every_candidate_never_guessed():
    result = resolve_commune("Lam Sơn", None, "38", "legacy")
    assert result.code is None and result.reason == "ambiguous_commune"
    assert set(result.candidates) == {"14773", "14815", "15064", "15556"}
    quang_phu = resolve_commune("Quảng Phú", None, "38", "legacy")
    assert quang_phu.reason == "ambiguous_commune" and len(quang_phu.candidates) == 2


def test_code_of_another_province_is_named():
    result = resolve_commune("00001", None, "38")
    assert result.reason == "other_province" and "Hà Nội" in result.message


def test_commune_from_title_rows_and_file_name():
    title = [["UBND HUYỆN THỌ XUÂN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"], ["UBND THỊ TRẤN LAM SƠN", "Độc lập"]]
    assert commune_from_title(title, "38", "legacy").code == "15556"
    assert commune_from_title([["BÁO CÁO"]], "38") is None
    assert commune_from_file_name("ho_so_thi_tran_sao_vang_2023", "38", "legacy").code == "15553"
    assert commune_from_file_name("bao_cao_2023", "38") is None
    assert commune_from_file_name("don_thu_phuong_lam_son", "38", "legacy").reason == "ambiguous_commune"


def test_default_configuration_is_valid_and_weights_follow_5_3_4():
    weights = load_config().effective_weights()
    assert len(weights) == 12
    assert weights["biet_nghe"] == pytest.approx(1 / 5) and weights["khong_tre_hen"] == pytest.approx(1 / 3)
    assert weights["the_hien_gan_gui"] == pytest.approx(1 / 4)


def test_bad_configuration_value_names_the_key_and_range(tmp_path: Path):
    from schemas.config import DEFAULT_CONFIG_PATH
    text = DEFAULT_CONFIG_PATH.read_text(encoding="utf-8").replace("target = 95", "target = 150")
    bad = tmp_path / "bad.toml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(bad)
    assert str(error.value) == ("Tệp cấu hình bad.toml có giá trị không hợp lệ:\n  indicators.khong_tre_hen.target: "
                                "Input should be less than or equal to 100 (giá trị: 150)")


def test_committed_data_model_doc_is_generated_from_schemas():
    committed = (Path(__file__).resolve().parents[1] / "docs" / "data-model.md").read_text(encoding="utf-8")
    assert committed == render_data_model(), "run `dvcq docs` and commit docs/data-model.md"


@pytest.mark.parametrize("value, district, code", [
    ("Trung Thành", "Quan Hóa", "14881"),   # 'Quan' is the district's name, not 'Quận'
    ("Trung Thành", "quan hoa", "14881"),
    ("Phượng Nghi", None, "16240"),          # 'Phượng' is part of the name, not 'Phường'
])
def test_names_that_start_like_a_type_word(value, district, code):
    assert resolve_commune(value, district, "38", "legacy").code == code
