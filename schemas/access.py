"""Who may see and do what: the roles of dvcq's accounts, each once, with its Vietnamese label and rights.

Why here: a role is a rule the dashboard, the command line and the digest all apply (``pipelines.access`` reads
it where data is read); written once, it cannot drift between them. Units are given in the 2025 structure (the
one in force when accounts are made): a commune by its 5-digit code, an area ("địa bàn huyện cũ") by its district
code. An account limited to some units sees every figure and record in the 2025 structure, where each record,
history included, belongs to the commune that serves its citizens today; the legacy structure would show the
whole of a legacy commune split between two of today's communes, part of which is not theirs.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

RoleCode = Literal["quan_tri", "tinh", "dia_ban", "xa", "phan_tich"]
UnitReach = Literal["all", "listed", "one"]
DigestPeriod = Literal["day", "week", "month", "none"]
DigestChannel = Literal["email", "webhook", "none"]

# Every page of the dashboard by its URL path (the app's navigation declares each with the same path).
PAGE_PATHS = ("trang_chu", "so_sanh", "don_vi", "ton_dong", "canh_bao", "don_thu", "kham_pha", "gui_so_lieu",
              "du_lieu", "tai_khoan", "nhat_ky")
FIGURE_PAGES = ("trang_chu", "so_sanh", "don_vi", "ton_dong", "canh_bao", "don_thu", "gui_so_lieu", "du_lieu")


class Role(BaseModel):
    """One role: which units its accounts are given, which pages they open and what they may read or do."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: RoleCode
    label: str = Field(description="the role in Vietnamese, as the pages and the account list show it")
    reach: UnitReach = Field(description="all units; the units listed on the account (communes or areas); one commune")
    pages: tuple[str, ...] = Field(description="URL paths of the pages it may open (PAGE_PATHS)")
    other_units_figures: bool = Field(description="province-wide rankings show other units' figures (never records)")
    records: bool = Field(description="record-level rows (drill-down, backlog items, meetings) of its units")
    free_text: bool = Field(description="records' free-text columns (procedure names, topics, occasions, sources)")
    denunciation_records: bool = Field(description="denunciations one by one; without it they appear only as counts")
    upload: bool = Field(description="loads files: every unit's when its reach is all, else only its own commune's")
    manage: bool = Field(description="accounts, the quarantine (rows as sent) and the audit trail")
    sql: bool = Field(description="Khám phá's builder and SQL, over views that hold no free text")

    def may_open(self, path: str) -> bool:
        return path in self.pages


ROLES: dict[str, Role] = {role.code: role for role in (
    Role(code="quan_tri", label="Quản trị", reach="all", pages=PAGE_PATHS, other_units_figures=True, records=True,
         free_text=True, denunciation_records=True, upload=True, manage=True, sql=True),
    Role(code="tinh", label="Ban Dân vận tỉnh", reach="all", pages=(*FIGURE_PAGES, "kham_pha"),
         other_units_figures=True, records=True, free_text=False, denunciation_records=False, upload=False,
         manage=False, sql=True),
    Role(code="dia_ban", label="Lãnh đạo địa bàn", reach="listed", pages=FIGURE_PAGES, other_units_figures=True,
         records=True, free_text=True, denunciation_records=False, upload=False, manage=False, sql=False),
    Role(code="xa", label="Cán bộ xã", reach="one", pages=("don_vi", "ton_dong", "canh_bao", "don_thu",
                                                            "gui_so_lieu", "du_lieu"),
         other_units_figures=False, records=True, free_text=True, denunciation_records=False, upload=True,
         manage=False, sql=False),
    Role(code="phan_tich", label="Phân tích", reach="all", pages=("trang_chu", "so_sanh", "canh_bao", "kham_pha",
                                                                  "gui_so_lieu"),
         other_units_figures=True, records=False, free_text=False, denunciation_records=False, upload=False,
         manage=False, sql=True),
)}

DIGEST_PERIOD_LABELS = {"day": "Hằng ngày", "week": "Hằng tuần", "month": "Hằng tháng", "none": "Không nhận"}
DIGEST_CHANNEL_LABELS = {"email": "Thư điện tử", "webhook": "Webhook (Telegram, Zalo OA)", "none": "Không gửi"}

# The audit trail's actions, each with how the page and `dvcq audit` name it.
AUDIT_ACTIONS = {
    "sign_in": "Đăng nhập", "sign_in_failed": "Đăng nhập không thành công", "sign_out": "Đăng xuất",
    "upload": "Nạp tệp", "upload_refused": "Nạp tệp bị từ chối", "export": "Tải xuống", "report": "Báo cáo",
    "sql": "Truy vấn SQL", "refused": "Bị từ chối", "account_add": "Tạo tài khoản",
    "account_password": "Đổi mật khẩu", "account_disable": "Khóa tài khoản", "account_enable": "Mở khóa tài khoản",
    "account_change": "Sửa tài khoản", "digest": "Gửi bản tin", "digest_failed": "Gửi bản tin không thành công",
}

# What the audit trail's details say, by their key (pages and exports show them in these words).
AUDIT_DETAIL_LABELS = {
    "client": "máy", "reason": "lý do", "locked_until": "khóa đến", "page": "trang", "account": "tài khoản",
    "role": "vai trò", "units": "đơn vị", "email": "thư điện tử", "webhook": "webhook", "channel": "kênh",
    "digest": "bản tin", "what": "nội dung", "rows": "số dòng", "file": "tệp", "date_from": "từ ngày",
    "date_to": "đến ngày",
}
AUDIT_REASON_LABELS = {"wrong": "sai tên đăng nhập hoặc mật khẩu", "locked": "tài khoản đang tạm khóa",
                       "disabled": "tài khoản đã bị khóa"}
