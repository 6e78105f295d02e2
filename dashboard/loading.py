"""Widgets of the Dữ liệu page: upload + ingest with progress, ingest log, quarantine, freshness.

What an account sees and does here follows its role (``schemas.access``): only a role with ``upload`` loads
files, and the ingest itself (``ingest``) refuses the others, so hiding the uploader is a convenience, not the
lock. An account limited to its commune loads only that commune's files: the ingest refuses whole a file with a
row of another unit (``pipelines.ingest.upload_scope``). It sees only its commune's ingest log and freshness;
the quarantine (rows as sent) is the administrator's (``manage``). Every upload, loaded or refused, is recorded
in the audit trail with its masked file name and its counts.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

import polars as pl
import streamlit as st

from dashboard import access, chrome, data, formatting
from pipelines.access.scope import OutOfScope, Scope
from pipelines.ingest import service
from schemas.access import ROLES
from schemas.admin_unit import ERA_SHORT_VI, Era
from schemas.catalog import LEVEL_LABELS, OUTPUT_LABELS

STALE_DAYS = 60
UPLOAD_REFUSED = ("Vai trò của bạn không được nạp tệp: chỉ "
                  + ", ".join(role.label for role in ROLES.values() if role.upload) + " nạp dữ liệu")
UPLOAD_STRUCTURES = {"auto": "Tự động theo ngày trong tệp", "2025": "Danh mục từ 01/07/2025 (xã mới)",
                     "legacy": "Danh mục trước 01/07/2025 (có huyện)"}
REPORT_SPEC = {
    "file_name": ("Tệp", "text"), "sheet": ("Trang tính", "text"), "kind_vi": ("Loại dữ liệu", "text"),
    "communes": ("Xã", "text"), "unit_era": ("Danh mục đơn vị", "text"), "rows_read": ("Số dòng đọc", "int"), "rows_inserted": ("Thêm mới", "int"),
    "rows_updated": ("Cập nhật", "int"), "rows_unchanged": ("Không đổi", "int"),
    "rows_older": ("Cũ hơn bản đã có", "int"), "rows_quarantined": ("Bị cách ly", "int"),
    "rows_missing": ("Đang giải quyết nhưng không còn trong tệp", "int"),
    "rows_closed": ("Đã đóng vì không còn trong tệp", "int"), "unknown_columns": ("Cột không nhận ra", "text"),
    "message": ("Ghi chú", "text"), "ingested_on": ("Ngày nạp", "date"),
}


# Streamlit writes the drop zone's words in English ("Upload", "100MB per file"); they are hidden and said
# in Vietnamese instead, the size limit read from the server's own setting.
UPLOADER_WORDS = """<style>
.st-key-upload [data-testid="stFileUploaderDropzoneInstructions"] > div > * { display: none; }
.st-key-upload [data-testid="stFileUploaderDropzoneInstructions"] > div::after {
  content: "Kéo thả tệp vào đây (XLSX, XLS, CSV)"; }
.st-key-upload [data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p { display: none; }
.st-key-upload [data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"]::after {
  content: "Chọn tệp trên máy"; }
</style>"""


def upload_section() -> None:
    with st.expander("Nạp tệp xuất từ phần mềm của xã", expanded=not data.has_warehouse()):
        st.html(UPLOADER_WORDS)
        limit = st.get_option("server.maxUploadSize")
        st.caption(f"Chấp nhận XLSX, XLS, CSV, tối đa {formatting.fmt_int(limit)} MB mỗi tệp (có thể có dòng tiêu đề, "
                   "tên cột có dấu hoặc không dấu). Nạp lại cùng một tệp không làm thay đổi dữ liệu; bản xuất mới của "
                   "cùng hồ sơ sẽ cập nhật hồ sơ đó.")
        files = st.file_uploader("Chọn tệp", type=["xlsx", "xls", "csv"], accept_multiple_files=True, key="upload")
        units = st.selectbox("Mã và tên xã trong tệp theo", list(UPLOAD_STRUCTURES), format_func=UPLOAD_STRUCTURES.get,
                             key="upload_units",
                             help="Nhiều mã, tên xã có ở cả danh mục trước và từ 01/07/2025 nhưng là hai đơn vị khác "
                                  "nhau. Tự động: theo ngày mới nhất trong mỗi tệp (ngày tiếp nhận, trả kết quả, gửi, "
                                  "họp…; không theo ngày hẹn).")
        if access.scope().limited:
            st.caption("Tài khoản của bạn chỉ nạp tệp của xã mình: tệp có dòng của đơn vị khác bị từ chối cả tệp.")
        if st.button("Nạp dữ liệu", type="primary", disabled=not files, key="ingest"):
            ingest(files, None if units == "auto" else units)


# The longest file name the file system takes, in bytes (Linux, and NTFS in UTF-16 units).
MAX_NAME_BYTES = 255


def upload_name_problem(name: str) -> str | None:
    """Why an uploaded file's name cannot be saved as it is, in Vietnamese; None when it can. The ingest
    names the commune from the file name, so a name is kept whole or the file refused, never altered."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    if "\x00" in base or base in ("", ".", ".."):
        return "tên tệp có ký tự không hợp lệ: hãy đổi tên tệp rồi tải lên lại"
    if len(base.encode()) > MAX_NAME_BYTES:
        return (f"tên tệp quá dài ({formatting.fmt_int(len(base))} ký tự, tối đa {formatting.fmt_int(MAX_NAME_BYTES)} "
                "byte): hãy đặt tên ngắn hơn rồi tải lên lại")
    return None


def save_uploads(files, folder: Path) -> list[Path]:
    """Each uploaded file in a folder of its own under ``folder``, keeping its name (the ingest names
    the commune from it): two uploads called ``bao_cao.csv`` stay two files, none overwritten. Names
    are those ``upload_name_problem`` accepts."""
    paths = []
    for number, upload in enumerate(files):
        path = folder / str(number) / Path(upload.name).name
        path.parent.mkdir(parents=True)
        path.write_bytes(upload.getbuffer())
        paths.append(path)
    return paths


def upload_folder() -> Path:
    """Where uploads wait for their ingest: a private folder (0700) beside the warehouse, never the shared
    temporary folder, emptied when the server starts (``clean_uploads``) and after each ingest, so the raw
    files (names and addresses in clear) do not outlive a killed server."""
    folder = Path(data.db_path() + ".uploads")
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)
    return folder


def clean_uploads() -> None:
    """Remove what a killed server left in the upload folder."""
    for leftover in upload_folder().iterdir():
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover)
        else:
            leftover.unlink()


def _shown_name(name: str) -> str:
    """An uploaded file's name as the page and the audit trail say it: identifiers masked, cut short."""
    return service.mask_identifiers_text(name.replace("\x00", ""))[:120]


def ingest(files, units: Era | None) -> None:
    """Load the uploaded ``files`` for the signed-in account and say what became of each. A role without
    ``upload`` is refused here (``OutOfScope``, recorded), whatever the page showed it; an account limited to
    some communes has every file naming another unit refused whole by the ingest."""
    scope = access.scope()
    if not scope.role.upload:
        access.record("upload_refused", file=[_shown_name(upload.name) for upload in files], reason=UPLOAD_REFUSED)
        raise OutOfScope(UPLOAD_REFUSED)
    for upload in files:
        if why := upload_name_problem(upload.name):
            shown = _shown_name(upload.name)
            access.record("upload_refused", file=shown, reason=why)
            st.error(f"Không nạp tệp {formatting.md_escape(shown)}: {why}")
    files = [upload for upload in files if not upload_name_problem(upload.name)]
    if not files:
        return
    bar = st.progress(0.0, text="Đang chuẩn bị…")
    with tempfile.TemporaryDirectory(prefix="nap-", dir=upload_folder()) as tmp:
        paths = save_uploads(files, Path(tmp))

        def progress(number: int, total: int, name: str) -> None:
            bar.progress(number / total, text=f"Đang nạp {name} ({number}/{total})")

        try:
            reports = service.ingest(paths, data.db_path(), data.config(), units, progress,
                                     allowed_communes=scope.communes)
        except Exception as exc:  # a user-facing message, never a traceback
            bar.empty()
            why = str(service.explain_failure(exc) or exc)
            access.record("upload", file=[_shown_name(upload.name) for upload in files], reason=why)
            st.error(f"Không nạp được dữ liệu: {formatting.md_escape(why)}")
            return
    bar.progress(1.0, text="Đã nạp xong")
    audit(reports)
    for report in (r for r in reports if r.refused):  # rows of another unit: the message names the file and units
        st.error(formatting.md_escape(report.error), icon=":material/block:")
    failed = [r for r in reports if r.error and not r.refused]
    for report in failed:  # a file that could not be read is said, with why; nothing of it was loaded
        st.error(f"Không đọc được tệp {formatting.md_escape(report.file_name)}: {formatting.md_escape(report.error)}")
    loaded = [r for r in reports if not r.error]
    if not loaded:
        return
    frame = pl.DataFrame([{k: ", ".join(v) if isinstance(v := getattr(r, k), list) else v
                           for k in ["kind", *REPORT_SPEC] if k not in ("ingested_on", "kind_vi")} for r in loaded])
    frame = _with_commune_names(frame).with_columns(kind_vi=pl.col("kind").replace(data.RECORD_KIND_LABELS))
    st.success(f"Đã nạp {formatting.fmt_int(len(loaded))} tệp/trang tính: "
               f"{service.count_line(loaded, formatting.fmt_int)}. Các trang đã dùng dữ liệu mới.")
    if line := service.missing_line(loaded, formatting.fmt_int):  # closed or only reported, as configured
        st.warning(f"{line[:1].upper()}{line[1:]}: xem cột Ghi chú.")
    chrome.show_table(frame, REPORT_SPEC, key="ingest_result")


def audit(reports: list[service.FileReport]) -> None:
    """One audit entry per file or sheet of an upload, in the audit trail's words (``AUDIT_DETAIL_LABELS``):
    its masked name, its communes, the rows read and what became of them; a file refused for naming another
    unit ("upload_refused", the other units) or unreadable also says why."""
    for r in reports:
        access.record("upload_refused" if r.refused else "upload", file=r.where, units=r.communes,
                      rows=r.rows_read, what=service.count_line([r], formatting.fmt_int),
                      **({"reason": r.error} if r.error else {}))


def own_files(log: pl.DataFrame, scope: Scope) -> pl.DataFrame:
    """The ingest log's rows an account may see: every row when it reaches every unit, else the rows whose
    every commune (in the 2025 structure, ``communes_2025``) is one of its own. A province-wide file that
    also held its commune is not shown: its counts are other units' too."""
    if not scope.limited:
        return log
    communes = pl.col("communes_2025")
    return log.filter((communes.list.len() > 0)
                      & communes.list.eval(pl.element().is_in(sorted(scope.communes))).list.all())


def ingest_log() -> None:
    scope = access.scope()
    log = own_files(data.ingest_log(), scope)
    if log.is_empty():
        chrome.empty("Chưa nạp tệp nào" + (" của xã bạn" if scope.limited else ""))
        return
    if scope.limited:  # the totals below are the whole warehouse's
        st.caption("Các tệp có dữ liệu của xã bạn, mới nhất trước.")
        chrome.show_table(_with_commune_names(log), REPORT_SPEC, key="log_table")
        return
    totals = data.ingest_totals()  # a file loaded twice is one file; its quarantined rows replaced, not added
    cols = st.columns(4)
    cols[0].metric("Số tệp/trang tính", formatting.fmt_int(totals["files"]))
    cols[1].metric("Số dòng đọc", formatting.fmt_int(totals["rows_read"]))
    cols[2].metric("Thêm mới + cập nhật", formatting.fmt_int(totals["rows_applied"]))
    cols[3].metric("Bị cách ly", formatting.fmt_int(totals["rows_quarantined"]))
    chrome.show_table(_with_commune_names(log), REPORT_SPEC, key="log_table")


def _with_commune_names(frame: pl.DataFrame) -> pl.DataFrame:
    """The ``communes`` column's comma-separated codes shown as names from the list they were read in
    (``unit_era``: the same code is another unit in the other list)."""
    names = data.unit_names()

    def named(row: dict) -> str:
        known = names.get(row["unit_era"] or "", {})
        return ", ".join(known.get(c.strip(), c.strip()) for c in (row["communes"] or "").split(",") if c.strip())
    return frame.with_columns(
        pl.struct("communes", "unit_era").map_elements(named, return_dtype=pl.String).alias("communes"),
        pl.col("unit_era").replace(ERA_SHORT_VI))


def quarantine() -> None:
    rows = data.quarantine()
    if rows.is_empty():
        st.success("Không có dòng nào bị cách ly: mọi dòng đã nạp đều hợp lệ.")
        return
    st.caption("Các dòng không đủ tin cậy để nạp, kèm lý do. Hãy sửa trong tệp của xã rồi nạp lại.")
    spec = {"file_name": ("Tệp", "text"), "sheet": ("Trang tính", "text"), "row_number": ("Dòng", "int"),
            "kind_vi": ("Loại dữ liệu", "text"), "commune": ("Xã", "text"), "record_id": ("Mã bản ghi", "text"),
            "message_vi": (OUTPUT_LABELS["reason"], "text"), "quarantined_on": ("Ngày", "date")}
    chrome.show_table(rows, spec, key="quarantine_table")


def freshness(f) -> None:
    """When each commune last sent each kind. A commune that never sent anything has sent nothing in the last
    ``STALE_DAYS`` days too: it is counted there and listed first, and the page shows no all-clear while any
    commune is silent. An account limited to some communes sees only theirs."""
    scope = access.scope()
    structure = scope.structure(data.era())  # a limited account's communes are 2025 codes, read in that list
    rows = (data.query("freshness", structure=structure, communes=sorted(scope.communes)) if scope.limited
            else data.freshness(f.district if f else None, f.commune if f else None))
    last = data.date_range()[1]
    cutoff = last - dt.timedelta(days=STALE_DAYS)
    sent = rows.filter(pl.col("latest").is_not_null())
    silent = rows.filter(pl.col("latest").is_null() | (pl.col("latest") < cutoff))
    never = rows.filter(pl.col("latest").is_null())
    c = st.columns(3)
    c[0].metric("Xã đã gửi dữ liệu", f"{formatting.fmt_int(len(sent))}/{formatting.fmt_int(len(rows))}")
    c[1].metric(f"Xã không gửi gì trong {STALE_DAYS} ngày", formatting.fmt_int(len(silent)),
                help=f"Kể cả {formatting.fmt_int(len(never))} xã chưa từng gửi bản ghi nào.")
    c[2].metric("Ngày dữ liệu mới nhất", formatting.fmt_date(last))
    if silent.is_empty():
        st.success(f"Mọi xã đều có bản ghi trong {STALE_DAYS} ngày trước {formatting.fmt_date(last)}.")
    else:
        st.warning(f"{formatting.fmt_int(len(silent))} xã không gửi gì trong {STALE_DAYS} ngày trước "
                   f"{formatting.fmt_date(last)}, trong đó {formatting.fmt_int(len(never))} xã chưa từng gửi bản ghi "
                   "nào. Xem tháng nào, loại số liệu nào còn thiếu và tải danh sách đôn đốc ở trang "
                   "«Đôn đốc gửi số liệu».", icon=":material/notification_important:")
    rows = rows.with_columns(
        pl.when(pl.col("latest").is_null()).then(pl.lit("✗ Chưa gửi bản ghi nào"))
        .when(pl.col("latest") < cutoff).then(pl.lit("⚠ Không gửi dữ liệu gần đây"))
        .otherwise(pl.lit("✓ Đều đặn")).alias("state")).sort("latest", nulls_last=False)
    spec = {"state": ("Tình trạng", "text"), "commune_name": (LEVEL_LABELS[structure]["commune"], "text"),
            "district_name": (LEVEL_LABELS[structure]["district"], "text"), "dossier": ("Hồ sơ mới nhất", "date"),
            "letter": ("Thư mới nhất", "date"), "petition": ("Đơn thư mới nhất", "date"),
            "dialogue": ("Đối thoại mới nhất", "date"), "survey": ("Phiếu khảo sát mới nhất", "date")}
    chrome.show_table(rows, spec, key="fresh_table")
