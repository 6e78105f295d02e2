"""Nhật ký: the audit trail (sign-ins, refusals, uploads, exports, reports, SQL, account changes) for the
administrator, by days and login, and as CSV (the download itself recorded)."""

import datetime as dt

import streamlit as st

from dashboard import access, chrome
from dashboard.formatting import fmt_int

st.title("Nhật ký")
admin = access.administrator()
st.caption("Đăng nhập, trang bị từ chối, nạp tệp, tải xuống, báo cáo, truy vấn SQL và thay đổi tài khoản; "
           "nhật ký chỉ được ghi thêm, không sửa, không xóa được. Giờ Việt Nam. Tài khoản «?…»: đăng nhập bằng một "
           "tên không có (tên gõ sai không được ghi); «cli:…»: thao tác bằng dòng lệnh trên máy chủ.")
today = access.vietnam_today()
first, last, who = st.columns([1, 1, 2])
date_from = first.date_input("Từ ngày", value=today - dt.timedelta(days=30), format="DD/MM/YYYY", key="nk_tu")
date_to = last.date_input("Đến ngày", value=today, format="DD/MM/YYYY", key="nk_den")
EVERYONE = "Mọi tài khoản"
login = who.selectbox("Tài khoản", [EVERYONE, *access.audit_logins()], key="nk_tai_khoan")
login = None if login == EVERYONE else login
trail = access.audit_trail(date_from, date_to, login)
st.markdown(f"**{fmt_int(trail.height)}** sự kiện")
widths = {"at": "small", "login": "small", "action_vi": "medium", "detail_vi": "large"}  # the details need room
chrome.show_table(trail, access.AUDIT_SPEC, key="audit", height=min(38 + 35 * max(len(trail), 1), 600),
                  column_config={access.AUDIT_SPEC[column][0]: st.column_config.TextColumn(width=width)
                                 for column, width in widths.items()})
st.download_button("Tải nhật ký (CSV)", lambda: access.audit_csv(trail, admin.login, date_from, date_to, login),
                   file_name=f"nhat_ky_{date_from:%Y%m%d}_{date_to:%Y%m%d}.csv", mime="text/csv",
                   icon=":material/download:", key="audit_csv")
