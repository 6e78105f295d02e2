"""Tồn đọng: overdue dossiers and petitions as of a date, per commune (grouped by district) and age
bucket, a per-commune summary readable on a phone, the list oldest first, XLSX exports; then what falls due
soon (sắp đến hạn), so officials act before it is late."""

import streamlit as st

from dashboard import charts, chrome, data, formatting
from schemas.catalog import LEVEL_LABELS, LEVEL_WORDS

CHART_COMMUNES = 30

f = chrome.page("Hồ sơ, đơn thư tồn đọng quá hạn", "Những việc đã quá hạn, cần xử lý ngay")
if f is not None:
    # the list as the account may read records; the counts of every overdue item (denunciations included)
    items, overdue = data.backlog_items(f.as_of, f.district, f.commune), data.backlog_counted(f.as_of, f.district, f.commune)
    as_of = formatting.fmt_date(f.as_of)
    st.markdown(f"#### Tính đến ngày {as_of}")
    if overdue.is_empty():
        st.success(f"Không có hồ sơ hay đơn thư nào quá hạn tính đến {as_of} trong phạm vi đã chọn.")
    else:
        totals = data.backlog_totals(overdue)
        c = st.columns(4)
        c[0].metric("Hồ sơ quá hạn", formatting.fmt_int(totals["dossiers"]), border=True,
                    help=f"Hồ sơ chưa trả kết quả mà hạn trả đã qua tại ngày {as_of}, kể cả hồ sơ nhận trước kỳ.")
        c[1].metric("Đơn thư quá hạn", formatting.fmt_int(totals["petitions"]), border=True,
                    help=f"Đơn thư chưa giải quyết mà hạn giải quyết đã qua tại ngày {as_of}, kể cả đơn nhận trước "
                         f"kỳ (trang Đơn thư chỉ đếm đơn nhận trong kỳ).")
        c[2].metric("Số xã có tồn đọng", formatting.fmt_int(totals["communes"]), border=True)
        c[3].metric("Quá hạn lâu nhất (ngày làm việc)", formatting.fmt_int(totals["longest"]), border=True)
        per = data.backlog_by_commune(overdue)
        group = LEVEL_WORDS[f.era]["district"]
        # A province has hundreds of communes: the chart keeps the most burdened ones (in district groups),
        # the table below lists every one. Title and notes are page text, not the chart's: a chart's title
        # does not wrap, and a phone cut it off.
        shown = data.most_burdened(per, CHART_COMMUNES)
        left, right = st.columns([3, 1])
        left.markdown("**Số việc quá hạn theo xã**")
        left.caption(f"Màu: số ngày làm việc quá hạn. Nhóm theo {group}"
                     + (f"; {CHART_COMMUNES} xã nhiều việc nhất trong {formatting.fmt_int(len(per))} xã, bảng dưới "
                        f"có đủ." if len(per) > CHART_COMMUNES else "."))
        event = left.plotly_chart(
            charts.backlog_bars(shown, data.bucket_labels(), chrome.BUCKET_COLOURS),
            key="bk_communes", on_select="rerun", selection_mode="points", config=chrome.NO_TOOLBAR)
        if code := chrome.clicked_unit(event):
            chrome.open_unit(code)
        buckets = data.backlog_buckets(overdue)
        right.plotly_chart(charts.count_bars(buckets["bucket"].to_list(), buckets["n"].to_list(),
                                             "Theo thời gian quá hạn", colours=chrome.BUCKET_COLOURS),
                           key="bk_buckets", config=chrome.NO_TOOLBAR)

        head, export = st.columns([3, 1])
        head.markdown("#### Theo xã (quá hạn lâu nhất trước)")
        summary_spec = chrome.in_structure({  # what a phone shows without scrolling comes first
            "commune_name": (LEVEL_LABELS[f.era]["commune"], "text"), "n": ("Số việc quá hạn", "int"),
            "longest": ("Lâu nhất (ngày làm việc)", "int"), "oldest_due": ("Quá hạn từ ngày", "date"),
            "dossiers": ("Hồ sơ quá hạn", "int"), "petitions": ("Đơn thư quá hạn", "int"),
            "district_name": (LEVEL_LABELS[f.era]["district"], "text")}, f.era)
        oldest_first = per.sort(["longest", "oldest_due", "n", "commune_name"], descending=[True, False, True, False])
        chrome.export_button(export, oldest_first, summary_spec, "Tồn đọng quá hạn theo xã", f, "ton_dong_theo_xa",
                             label="Tải bảng theo xã (XLSX)", stocks=True)
        # Seven columns do not fit a phone: there each commune is one wrapped line holding all seven.
        with st.container(key="wide_bk_summary"):
            chrome.show_table(oldest_first, summary_spec, key="bk_summary", height=min(38 + 35 * len(per), 400))
        with st.container(key="narrow_bk_summary"):  # content-sized: a fixed height left a gap where it is hidden
            st.markdown("\n".join(
                f"- **{formatting.md_escape(r['commune_name'])}** ({formatting.md_escape(r['district_name'])}): "
                f"{formatting.fmt_int(r['n'])} việc quá hạn ({formatting.fmt_int(r['dossiers'])} hồ sơ, "
                f"{formatting.fmt_int(r['petitions'])} đơn thư), lâu nhất {formatting.fmt_int(r['longest'])} ngày "
                f"làm việc, quá hạn từ {formatting.fmt_date(r['oldest_due'])}"
                for r in oldest_first.iter_rows(named=True)))
        chrome.narrow_or_wide("bk_summary")

        head, export = st.columns([3, 1])
        head.markdown("#### Danh sách quá hạn (cũ nhất trước)")
        spec = chrome.in_structure(chrome.BACKLOG_SPEC, f.era)
        chrome.export_button(export, items, spec, "Hồ sơ, đơn thư tồn đọng quá hạn", f, "ton_dong",
                             label="Tải danh sách (XLSX)", stocks=True)
        chrome.show_table(items, spec, key="bk_table", height=min(38 + 35 * len(items), 460))
        chrome.withheld_note(data.withheld(overdue))
        st.caption("Số ngày quá hạn tính theo ngày làm việc (thứ Hai–thứ Sáu, trừ ngày lễ, Tết). Mốc nhóm lấy từ tệp "
                   "cấu hình config/dvcq.toml. Bấm một thanh để mở trang của xã.")

    st.markdown(f"#### Sắp đến hạn (chưa quá hạn) tính đến ngày {as_of}")
    soon, counted = data.due_soon_items(f.as_of, f.district, f.commune), data.due_soon_counted(f.as_of, f.district, f.commune)
    totals, c = data.due_soon_totals(counted), st.columns(3)
    c[0].metric("Hồ sơ sắp đến hạn", formatting.fmt_int(totals["dossiers"]), border=True)
    c[1].metric("Đơn thư sắp đến hạn", formatting.fmt_int(totals["petitions"]), border=True)
    c[2].metric("Số xã có việc sắp đến hạn", formatting.fmt_int(totals["communes"]), border=True)
    if not totals["items"]:
        st.success(f"Không có hồ sơ hay đơn thư nào sắp đến hạn tính đến {as_of} trong phạm vi đã chọn.")
    else:
        chrome.withheld_note(data.withheld(counted))
        spec = chrome.in_structure(chrome.DUE_SOON_SPEC, f.era)
        chrome.export_button(st, soon, spec, "Hồ sơ, đơn thư sắp đến hạn", f, "sap_den_han",
                             label="Tải danh sách sắp đến hạn (XLSX)", stocks=True)
        chrome.show_table(soon, spec, key="due_soon_table", height=min(38 + 35 * len(soon), 460))
    st.caption(f"Sắp đến hạn: việc chưa giải quyết, chưa quá hạn, có số ngày làm việc còn lại đến hạn ít hơn số ngày "
               f"báo trước: {data.due_soon_rule()} (tệp cấu hình config/dvcq.toml).")
