"""Hardening, second round (issue 24), items 6, 9 and 11: personal data masked wherever it is typed,
report templates that cannot break the Word file or the server, and the key a warehouse was built with.

Every expected value below is written out by hand from the input in the same test."""

from __future__ import annotations

import unicodedata

import duckdb
import polars as pl
import pytest

from tests.ingest_fixtures import write_xlsx

# ----------------------------------------------------------------- item 6: masking personal data

MASKED = [
    # (typed by a clerk, as stored)
    ("CCCD038199912305", "CCCD[đã ẩn]"),
    ("SĐT0912888708", "SĐT[đã ẩn]"),
    ("038/199/912/307", "[đã ẩn]"),
    ("0912/888/711", "[đã ẩn]"),
    ("0912,888,710", "[đã ẩn]"),
    ("038_199_912_308", "[đã ẩn]"),
    ("0912–888–716", "[đã ẩn]"),
    ("gọi (091) 2888 712.", "gọi [đã ẩn]."),
    ("O912888717", "[đã ẩn]"),
    ("0912888708, 0912888709", "[đã ẩn], [đã ẩn]"),
    ("CCCD/SĐT: 038199912305/0912888708", "CCCD/SĐT: [đã ẩn]/[đã ẩn]"),
    ("hẹn ngày 05/01/2024 0912888708", "hẹn ngày 05/01/2024 [đã ẩn]"),
    # a name: up to four words of any case after an honorific, then any capitalised ones (a word too many is
    # masked rather than a name shown: 'phản', 'và' below)
    ("Ông Nguyễn Văn Plantfree phản ánh đường làng", "Ông [đã ẩn] ánh đường làng"),
    ("cháu Lê Thị Hoa, bà TRẦN THỊ B và anh Nam", "cháu [đã ẩn], bà [đã ẩn] anh [đã ẩn]"),
    ("don_thu_ong_Nguyen_Van_A.xlsx", "don_thu_ong_[đã ẩn].xlsx"),
    ("don_ong_nguyen_van_an.xlsx", "don_ong_[đã ẩn].xlsx"),
    ("Đơn ông nguyễn văn an", "Đơn ông [đã ẩn]"),
    ("Ông.Nguyễn.Văn.An.xlsx", "Ông.[đã ẩn].xlsx"),
    ("Ông Nguyễn văn A phản ánh", "Ông [đã ẩn] ánh"),
    ("Bà Tôn Nữ Thị Ngọc Hân đến", "Bà [đã ẩn] đến"),
    ("gửi ông bà nguyễn văn an", "gửi ông bà [đã ẩn]"),
    # decomposed marks (file names from a Mac): read as composed, stored composed
    (unicodedata.normalize("NFD", "don_thu_Ông_Nguyễn_Văn_An.xlsx"), "don_thu_Ông_[đã ẩn].xlsx"),
    # ordinary phrases with an honorific in them are no name (the sample's procedures and occasions)
    ("Hỗ trợ chi phí mai táng", "Hỗ trợ chi phí mai táng"),
    ("Chúc mừng con em đỗ đại học", "Chúc mừng con em đỗ đại học"),
    ("bà con phản ánh cụ thể trong ba ngày", "bà con phản ánh cụ thể trong ba ngày"),
    # record ids of an accepted form and dates are no person's numbers
    ("15712.250103.00242", "15712.250103.00242"),
    ("thư xin lỗi hồ sơ 15712.250103.00242, đơn 004/2025/15442, thư 001/TCM-2023-15334",
     "thư xin lỗi hồ sơ 15712.250103.00242, đơn 004/2025/15442, thư 001/TCM-2023-15334"),
    ("000.00.13.H56-250103-0001", "000.00.13.H56-250103-0001"),
    ("từ 01/01/2024-05/01/2024, 3 hồ sơ", "từ 01/01/2024-05/01/2024, 3 hồ sơ"),
    ('{"applicant": "h:cccd123456789abcdef01234"}', '{"applicant": "h:cccd123456789abcdef01234"}'),
]


@pytest.mark.parametrize(("typed", "stored"), MASKED)
def test_numbers_and_names_of_a_person_are_masked_whatever_the_separators(typed, stored):
    from pipelines.ingest.privacy import mask_identifiers, mask_identifiers_text
    assert mask_identifiers_text(typed) == stored
    assert pl.DataFrame({"v": [typed]}).select(mask_identifiers(pl.col("v")))["v"].to_list() == [stored]


def test_every_accepted_record_id_form_is_left_whole():
    """The examples written beside each form in schemas/records.py are what the masker must keep."""
    from pipelines.ingest.privacy import mask_identifiers_text
    from schemas.records import RECORD_ID_FORMS
    examples = [e for _, text in RECORD_ID_FORMS.values() for e in text.split(": ")[0].split(", ")]
    assert examples == ["15712.250103.00242", "000.00.13.H56-250103-0001", "001/TCM-2023-15334", "12/BC-UBND",
                        "004/2025/15442", "15361-2023-0001", "HN-2025-01", "HS00-0000001"]
    assert [mask_identifiers_text(e) for e in examples] == examples


def test_personal_data_in_ids_names_and_file_names_never_reaches_the_warehouse(tmp_path):
    """Issue 24 item 6, end to end: a name and a phone number as a dossier's id, a name in a status cell,
    numbers in free text, a name after 'Ông' on the Đơn thư chart's field, names in the file and sheet names;
    a genuine dossier id stays whole."""
    from pipelines.ingest.pipeline import ingest_files
    from schemas.config import load_config
    dossiers = write_xlsx(
        tmp_path / "Hồ sơ của Ông Nguyễn Văn Filename.xlsx", [["ỦY BAN NHÂN DÂN XÃ HOẰNG ĐỒNG"]],
        ["Mã hồ sơ", "Tên thủ tục", "Ngày tiếp nhận", "Ngày hẹn trả", "Trạng thái", "Họ tên người nộp"],
        [["15712.250103.00242", "Chứng thực CCCD038199912305 SĐT0912888708", "03/03/2024", "06/03/2024",
          "Đang giải quyết", "Phạm Thị Dung"],
         ["Ông Vũ Văn Idcell 0912888733", "Đăng ký khai sinh", "03/03/2024", "06/03/2024", "Đang giải quyết",
          "Vũ Văn Idcell"],
         ["15712.250103.00243", "Đăng ký khai sinh", "03/03/2024", "06/03/2024", "Nguyễn Văn Statuscell", "x"]],
        sheet="Bà Trần Thị Sheetname")
    petitions = tmp_path / "don_thu.csv"
    petitions.write_text("Số đơn;Loại đơn;Ngày nhận đơn;Nguồn đơn;Lĩnh vực\n"
                         "004/2025/15442;Kiến nghị;04/03/2024;gọi (091) 2888 712;"
                         "Ông Nguyễn Văn Plantfree phản ánh đường làng\n"
                         "005/2025/15442;Kiến nghị;05/03/2024;038/199/912/307 hoặc O912888717;Đất đai\n",
                         encoding="utf-8")
    db = tmp_path / "w.duckdb"
    reports = ingest_files([dossiers, petitions], db=db, config=load_config(), commune="15952", units="legacy")
    assert [(r.file_name, r.sheet) for r in reports] == [("Hồ sơ của Ông [đã ẩn].xlsx", "Bà [đã ẩn]"),
                                                         ("don_thu.csv", "")]
    assert [(r.rows_inserted, r.rows_quarantined) for r in reports] == [(1, 2), (2, 0)]
    with duckdb.connect(str(db), read_only=True) as con:
        stored = con.execute("SELECT dossier_id, procedure, source_file, source_sheet FROM main.dossiers").fetchall()
        fields = con.execute("SELECT petition_id, source, field FROM main.petitions ORDER BY 1").fetchall()
        quarantined = con.execute("SELECT file_name, sheet, record_id, reason_code, message_vi, raw_values "
                                  "FROM main.quarantine ORDER BY row_number").fetchall()
        logged = con.execute("SELECT file_name, file_path, sheet FROM main.ingest_log ORDER BY file_name").fetchall()
        everything = " ".join(str(row) for table in ("dossiers", "petitions", "quarantine", "ingest_log")
                              for row in con.execute(f"SELECT * FROM main.{table}").fetchall())
    assert stored == [("15712.250103.00242", "Chứng thực CCCD[đã ẩn] SĐT[đã ẩn]", "Hồ sơ của Ông [đã ẩn].xlsx",
                       "Bà [đã ẩn]")]
    assert fields == [("004/2025/15442", "gọi [đã ẩn]", "Ông [đã ẩn] ánh đường làng"),
                      ("005/2025/15442", "[đã ẩn] hoặc [đã ẩn]", "Đất đai")]
    id_row, status_row = quarantined
    assert id_row[:5] == ("Hồ sơ của Ông [đã ẩn].xlsx", "Bà [đã ẩn]", "Ông [đã ẩn] [đã ẩn]", "personal_data_in_id",
                          "Mã hồ sơ 'Ông [đã ẩn] [đã ẩn]' chứa số CCCD, số điện thoại hoặc họ tên người dân nên "
                          "không nạp: hãy ghi mã do phần mềm cấp")
    assert status_row[2:5] == ("15712.250103.00243", "unknown_value",
                               "Trạng thái: giá trị không thuộc danh mục (Đang giải quyết, Đã trả kết quả, Trả lại, "
                               "Rút hồ sơ)")
    assert '"status":"(không thuộc danh mục, đã ẩn)"' in status_row[5]
    assert [(f, s) for f, _, s in logged] == [("Hồ sơ của Ông [đã ẩn].xlsx", "Bà [đã ẩn]"), ("don_thu.csv", "")]
    assert logged[0][1].endswith("/Hồ sơ của Ông [đã ẩn].xlsx")
    for clear in ("Filename", "Sheetname", "Idcell", "Statuscell", "Plantfree", "0912888733", "038199912305",
                  "0912888708", "2888 712", "038/199/912/307", "912888717"):
        assert clear not in everything, clear


# ----------------------------------------------------------------- item 11: the key

GOOD_KEY = "9f1c2e7a4b8d0f3e6a5c1b2d7e8f9a0b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f"


@pytest.mark.parametrize(("key", "bits"), [("a" * 32, 0), ("ab" * 16, 32), ("abcdefgh" * 4, 96)])
def test_a_key_of_one_repeated_character_or_under_128_bits_is_refused(tmp_path, monkeypatch, key, bits):
    """Issue 24 item 11: 'a' * 32 was accepted. Bits are length x Shannon entropy of the bytes: 32 x 0,
    'ab' * 16 is 32 x 1 bit, 'abcdefgh' * 4 is 32 x 3 bits; each is 32 bytes long, so the length check passes."""
    from pipelines.ingest.privacy import SecretError, estimated_bits, load_secret
    assert round(estimated_bits(key.encode())) == bits
    monkeypatch.setenv("DVCQ_SECRET", key)
    with pytest.raises(SecretError) as refused:
        load_secret(tmp_path)
    assert str(refused.value) == (
        f"khóa bí mật từ biến môi trường DVCQ_SECRET quá dễ đoán (một ký tự lặp lại hay một mẫu ngắn: ước tính {bits} "
        "bit ngẫu nhiên, cần ít nhất 128): ai cũng tính lại được mã băm họ tên, số CCCD. Hãy tạo khóa ngẫu nhiên: "
        'python -c "import secrets; print(secrets.token_hex(32))"')
    monkeypatch.setenv("DVCQ_SECRET", GOOD_KEY)
    assert load_secret(tmp_path) == GOOD_KEY.encode()


def test_a_warehouse_without_a_key_fingerprint_is_refused_until_upgrade_records_the_key(tmp_path, monkeypatch, capsys):
    """Issue 24 item 11: a warehouse made before the fingerprint existed accepted any key and rewrote every
    hash under it. Now an ingest refuses it; `dvcq upgrade` trusts the key given then (never a new key file)
    and records its fingerprint; afterwards another key is refused and the recorded one works."""
    from pipelines.cli.main import main
    from pipelines.ingest.pipeline import ingest_files
    from pipelines.ingest.privacy import KEY_FILE, SecretError, fingerprint
    from schemas.config import load_config
    export = tmp_path / "ho_so.csv"
    export.write_text("Mã hồ sơ;Ngày tiếp nhận;Ngày hẹn trả;Họ tên người nộp\nA1;03/03/2024;06/03/2024;Nguyễn Văn An\n",
                      encoding="utf-8")
    db = tmp_path / "w.duckdb"
    other_key = GOOD_KEY[::-1]

    def ingest(key: str):
        monkeypatch.setenv("DVCQ_SECRET", key)
        return ingest_files([export], db=db, config=load_config(), commune="15271", units="legacy")

    ingest(GOOD_KEY)
    with duckdb.connect(str(db)) as con:  # as a warehouse made before the fingerprint existed
        con.execute("DELETE FROM warehouse_meta WHERE name = 'key_fingerprint'")
    with pytest.raises(SecretError) as refused:
        ingest(other_key)
    assert str(refused.value) == ("kho dữ liệu w.duckdb được tạo trước khi dvcq ghi dấu vân tay của khóa nên không "
                                  "kiểm tra được khóa: hãy chạy 'dvcq upgrade --db w.duckdb' một lần với đúng khóa đã "
                                  "dùng để nạp (DVCQ_SECRET hoặc tệp .dvcq_secret), rồi nạp lại.")
    monkeypatch.delenv("DVCQ_SECRET")
    capsys.readouterr()
    assert main(["upgrade", "--db", str(db)]) == 2             # no key given: nothing trusted, no key file made
    assert "không tìm thấy tệp khóa" in capsys.readouterr().err
    assert not (tmp_path / KEY_FILE).exists()
    monkeypatch.setenv("DVCQ_SECRET", GOOD_KEY)
    assert main(["upgrade", "--db", str(db)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        "Kho chưa ghi dấu vân tay khóa: khóa đưa vào lúc này (DVCQ_SECRET hoặc tệp .dvcq_secret) được tin là khóa "
        f"của kho và được ghi nhận (dấu vân tay {fingerprint(GOOD_KEY.encode())}); từ nay mọi khóa khác bị từ chối.")
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT value FROM warehouse_meta WHERE name = 'key_fingerprint'").fetchall() == [
            (fingerprint(GOOD_KEY.encode()),)]
    with pytest.raises(SecretError, match="không phải khóa đã dùng cho kho dữ liệu này"):
        ingest(other_key)
    report, = ingest(GOOD_KEY)
    assert (report.rows_read, report.rows_unchanged) == (1, 1)   # same key: the same hash, the row unchanged


# ----------------------------------------------------------------- item 9: the report templates

PLAIN_ONLY = "không dùng được: chỉ viết tên trong ngoặc, ví dụ {unit}, không kèm định dạng, dấu chấm hay chỉ số"
CONTROL = "(không in được, Word không nhận): hãy xóa ký tự đó"


@pytest.mark.parametrize(("old", "new", "problem"), [
    ('title = "BÁO CÁO"', r'title = "BÁO\u0001CÁO"', f"header.title: có ký tự điều khiển U+0001 ở vị trí 4 {CONTROL}"),
    ('title = "BÁO CÁO"', r'title = "BÁO\u0000CÁO"', f"header.title: có ký tự điều khiển U+0000 ở vị trí 4 {CONTROL}"),
    ('title = "BÁO CÁO"', r'title = "BÁO\u000bCÁO"', f"header.title: có ký tự điều khiển U+000B ở vị trí 4 {CONTROL}"),
    ('"Lưu: VT."]\n\n[levels.district]', '"Lưu:\\u0001 VT."]\n\n[levels.district]',
     f"levels.commune.copies_to[2]: có ký tự điều khiển U+0001 ở vị trí 5 {CONTROL}"),
    ('scope_unit = "trên địa bàn {unit}"', 'scope_unit = "trên địa bàn {unit:{unit.__class__}}"',
     f"header.scope_unit: chỗ điền '{{unit:{{unit.__class__}}}}' {PLAIN_ONLY}"),
    ('scope_unit = "trên địa bàn {unit}"', 'scope_unit = "trên địa bàn {unit:{x}}"',
     f"header.scope_unit: chỗ điền '{{unit:{{x}}}}' {PLAIN_ONLY}"),
    ('scope_unit = "trên địa bàn {unit}"', 'scope_unit = "trên địa bàn {unit:d}"',
     f"header.scope_unit: chỗ điền '{{unit:d}}' {PLAIN_ONLY}"),
    ('scope_unit = "trên địa bàn {unit}"', 'scope_unit = "trên địa bàn {unit:>300000000}"',
     f"header.scope_unit: chỗ điền '{{unit:>300000000}}' {PLAIN_ONLY}"),
    ('scope_unit = "trên địa bàn {unit}"', 'scope_unit = "trên địa bàn {unit.__class__}"',
     f"header.scope_unit: chỗ điền '{{unit.__class__}}' {PLAIN_ONLY}"),
    ('"Lưu: VT."]\n\n[levels.district]', '"Lưu: VT. {unit!r}"]\n\n[levels.district]',
     f"levels.commune.copies_to[2]: chỗ điền '{{unit!r}}' {PLAIN_ONLY}"),
])
def test_a_template_with_a_control_character_or_a_formatted_placeholder_is_refused_in_one_line(
        tmp_path, capsys, old, new, problem):
    """Issue 24 item 9: these passed validation and then crashed the Word writer (lxml ValueError) or the
    formatting ('{unit:>300000000}' took 3.6 GB). Now the file is refused when read: the CLI says one line
    naming the key, and no server path."""
    from pipelines.cli.main import main
    from schemas.report import DEFAULT_REPORT_TEMPLATES_PATH, ReportTemplateError, load_report_templates
    text = DEFAULT_REPORT_TEMPLATES_PATH.read_text(encoding="utf-8")
    assert text.count(old) >= 1
    bad = tmp_path / "mau.toml"
    bad.write_text(text.replace(old, new, 1), encoding="utf-8")
    expected = f"Tệp mẫu báo cáo mau.toml có giá trị không hợp lệ: {problem}"
    with pytest.raises(ReportTemplateError) as refused:
        load_report_templates(bad)
    assert str(refused.value) == expected
    assert main(["report", "--unit", "15271", "--templates", str(bad), "--db", str(tmp_path / "w.duckdb")]) == 2
    assert capsys.readouterr().err == f"dvcq: lỗi: {expected}\n"


def test_the_dashboard_says_a_broken_template_as_plain_text_without_the_server_path(tmp_path, monkeypatch):
    """Issue 24 item 9: the warning showed visitors the templates file's folder and rendered '__' as bold."""
    from dashboard.report import report_button
    from schemas.report import DEFAULT_REPORT_TEMPLATES_PATH
    bad = tmp_path / "mau.toml"
    bad.write_text(DEFAULT_REPORT_TEMPLATES_PATH.read_text(encoding="utf-8").replace(
        'title = "BÁO CÁO"', 'title = "__BÁO CÁO__ {unit.__class__}"'), encoding="utf-8")
    monkeypatch.setenv("DVCQ_REPORT_TEMPLATES", str(bad))

    class Container:
        warnings: list[str] = []

        def warning(self, text):
            self.warnings.append(text)

    report_button(None, Container())  # the templates are read first: the view is never needed
    assert Container.warnings == [
        r"Không tạo được báo cáo: Tệp mẫu báo cáo mau\.toml có giá trị không hợp lệ\: header\.title\: chỗ điền "
        r"'\{unit\.\_\_class\_\_\}' không dùng được\: chỉ viết tên trong ngoặc, ví dụ \{unit\}, không kèm định dạng, "
        r"dấu chấm hay chỉ số"]
    assert str(tmp_path) not in Container.warnings[0]


@pytest.mark.parametrize(("old", "new", "problem"), [
    ('label = "5 biết"', r'label = "5\u000bbiết"',
     f"groups.5_biet.label: có ký tự điều khiển U+000B ở vị trí 2 {CONTROL} (giá trị: '5\\x0bbiết')"),
    ('label = "Biết nghe dân nói"', r'label = "Biết nghe\u0001 dân nói"',
     f"indicators.biet_nghe.label: có ký tự điều khiển U+0001 ở vị trí 10 {CONTROL} (giá trị: 'Biết nghe\\x01 dân nói')"),
])
def test_a_control_character_in_a_label_of_the_configuration_is_refused(tmp_path, old, new, problem):
    """Issue 24 item 9: labels and explanations in dvcq.toml reach the report and the pages."""
    from schemas.config import DEFAULT_CONFIG_PATH, ConfigError, load_config
    text = DEFAULT_CONFIG_PATH.read_text(encoding="utf-8")
    assert old in text
    bad = tmp_path / "cau_hinh.toml"
    bad.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_config(bad)
    assert str(refused.value) == f"Tệp cấu hình cau_hinh.toml có giá trị không hợp lệ:\n  {problem}"
