"""Tồn đọng: overdue dossiers and petitions as of a date, per commune and aging bucket, XLSX export."""

import streamlit as st

from dashboard import charts, chrome, data, formatting

f = chrome.page("Hồ sơ, đơn thư tồn đọng quá hạn", "Dành cho lãnh đạo huyện")
if f is not None:
    items = data.backlog_items(f.as_of, f.district, f.commune)
    st.markdown(f"#### Tính đến ngày {formatting.fmt_date(f.as_of)}")
    if items.is_empty():
        st.success(f"Không có hồ sơ hay đơn thư nào quá hạn tính đến {formatting.fmt_date(f.as_of)} trong phạm vi đã chọn.")
    else:
        c = st.columns(4)
        c[0].metric("Hồ sơ quá hạn", formatting.fmt_int((items["kind"] == "dossier").sum()), border=True)
        c[1].metric("Đơn thư quá hạn", formatting.fmt_int((items["kind"] == "petition").sum()), border=True)
        c[2].metric("Số xã có tồn đọng", formatting.fmt_int(items["commune_code"].n_unique()), border=True)
        c[3].metric("Quá hạn lâu nhất (ngày làm việc)", formatting.fmt_int(items["days_overdue"].max()), border=True)
        per_commune, buckets = data.backlog_chart_frames(items)
        left, right = st.columns([3, 1])
        left.plotly_chart(charts.stacked_bars(per_commune, "commune_name", "bucket", "n",
                                              "Số việc quá hạn theo xã và thời gian quá hạn (ngày làm việc)",
                                              data.bucket_labels(), chrome.BUCKET_COLOURS), key="bk_communes")
        right.plotly_chart(charts.count_bars(buckets["bucket"].to_list(), buckets["n"].to_list(),
                                             "Theo thời gian quá hạn", colours=chrome.BUCKET_COLOURS), key="bk_buckets")
        st.markdown("#### Danh sách quá hạn (cũ nhất trước)")
        shown = items
        spec = chrome.in_structure(chrome.BACKLOG_SPEC, f.era)
        chrome.show_table(shown, spec, key="bk_table", height=460)
        name = f"ton_dong_{(f.commune or f.district or 'toan_tinh')}_{f.as_of:%Y%m%d}.xlsx"
        st.download_button("Tải danh sách (XLSX) để gửi các xã", formatting.xlsx_bytes(shown, spec, "Tồn đọng"),
                           file_name=name, type="primary", icon=":material/download:",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        st.caption("Số ngày quá hạn tính theo ngày làm việc (thứ Hai–thứ Sáu, trừ ngày lễ, Tết). Mốc nhóm lấy từ tệp "
                   "cấu hình config/dvcq.toml.")
