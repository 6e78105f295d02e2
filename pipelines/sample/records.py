"""Records of one commune over the whole sample period: dossiers, letters, petitions, dialogues, surveys.

Numpy throughout, one dict of columns per kind (dates as datetime64[D], NaT = none). Each commune
draws a profile (strong, medium or weak) and every kind draws from its own random stream seeded
by (seed, commune code, kind), so a commune's records do not depend on which others are chosen.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from pipelines.sample import people
from pipelines.sample.days import Calendar

# Sectors, procedures (working days to the due date, weight), free-text phrases.
_SECTORS: list[tuple[str, float, list[tuple[str, int, float]]]] = [
    ("Hộ tịch", 0.40, [("Đăng ký khai sinh", 1, 0.30), ("Đăng ký khai tử", 1, 0.10),
                       ("Đăng ký kết hôn", 1, 0.12), ("Cấp bản sao trích lục hộ tịch", 1, 0.20),
                       ("Cấp giấy xác nhận tình trạng hôn nhân", 3, 0.18),
                       ("Đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch", 3, 0.07),
                       ("Đăng ký nhận cha, mẹ, con", 3, 0.03)]),
    ("Chứng thực", 0.30, [("Chứng thực bản sao từ bản chính", 1, 0.70), ("Chứng thực chữ ký", 1, 0.15),
                          ("Chứng thực hợp đồng, giao dịch liên quan đến tài sản", 2, 0.15)]),
    ("Đất đai", 0.08, [("Xác nhận hồ sơ đăng ký đất đai, cấp giấy chứng nhận", 10, 0.55),
                       ("Đăng ký biến động quyền sử dụng đất", 7, 0.30),
                       ("Hòa giải tranh chấp đất đai", 30, 0.15)]),
    ("Lao động - Thương binh và Xã hội", 0.10, [("Trợ cấp xã hội hàng tháng", 7, 0.30),
                                                ("Hỗ trợ chi phí mai táng", 3, 0.20),
                                                ("Xác định, xác định lại mức độ khuyết tật", 20, 0.15),
                                                ("Công nhận hộ nghèo, hộ cận nghèo phát sinh", 7, 0.20),
                                                ("Xác nhận người có công với cách mạng", 5, 0.15)]),
    ("Tư pháp", 0.04, [("Thủ tục thực hiện hòa giải ở cơ sở", 5, 0.5), ("Công nhận tuyên truyền viên pháp luật", 3, 0.5)]),
    ("Xây dựng", 0.03, [("Xác nhận hiện trạng xây dựng nhà ở", 7, 0.6), ("Thông báo khởi công xây dựng", 5, 0.4)]),
    ("Nông nghiệp", 0.03, [("Hỗ trợ khôi phục sản xuất vùng bị thiệt hại do thiên tai", 10, 0.6),
                           ("Xác nhận nguồn gốc lâm sản", 3, 0.4)]),
    ("Văn hóa - Thông tin", 0.02, [("Xét tặng danh hiệu Gia đình văn hóa", 5, 1.0)]),
]

_PETITION_FIELDS = (["Đất đai", "Giải phóng mặt bằng", "Chính sách xã hội", "Môi trường", "Trật tự xây dựng",
                     "An ninh trật tự", "Hộ tịch", "Cán bộ, công chức", "Điện, nước, giao thông"],
                    [0.36, 0.10, 0.14, 0.10, 0.09, 0.06, 0.04, 0.05, 0.06])
_PETITION_SOURCES = ["Trực tiếp", "Tiếp công dân định kỳ", "Bưu chính", "Cấp trên chuyển", "Hòm thư góp ý",
                     "Đường dây nóng"]
_DIALOGUE_TOPICS = ["Giải phóng mặt bằng dự án đường giao thông", "Cải cách thủ tục hành chính",
                    "Vệ sinh môi trường, thu gom rác thải", "Xây dựng nông thôn mới nâng cao",
                    "Cấp giấy chứng nhận quyền sử dụng đất", "Chính sách hỗ trợ hộ nghèo",
                    "An ninh trật tự trên địa bàn", "Chuyển đổi số, dịch vụ công trực tuyến",
                    "Quy hoạch khu dân cư", "Dồn điền đổi thửa"]
_CHAIRS = [("Chủ tịch UBND", True, 0.55), ("Bí thư Đảng ủy", True, 0.25), ("Phó Chủ tịch UBND", False, 0.2)]
_THANKS = ["Cảm ơn gia đình đã hiến đất làm đường giao thông", "Cảm ơn đã đóng góp ý kiến cải cách thủ tục hành chính",
           "Cảm ơn đã ủng hộ quỹ khuyến học", "Cảm ơn đã tham gia hoạt động thiện nguyện",
           "Cảm ơn đã phản ánh kịp thời sự cố môi trường", "Cảm ơn đã ủng hộ xây dựng nông thôn mới"]
_CONGRATS = ["Chúc mừng đăng ký kết hôn", "Chúc mừng gia đình có thêm thành viên mới", "Chúc mừng thượng thọ",
             "Chúc mừng con em đỗ đại học"]
_CONDOLENCE = ["Chia buồn cùng gia đình có người thân qua đời", "Thăm hỏi gia đình gặp hoạn nạn"]
_APOLOGY = ["Xin lỗi vì trễ hẹn trả kết quả hồ sơ", "Phiếu xin lỗi và hẹn lại ngày trả kết quả",
            "Xin lỗi do chậm trả kết quả"]


def profile(rng: np.random.Generator, ctype: str) -> dict:
    tier = rng.choice(["strong", "medium", "weak"], p=[0.6, 0.25, 0.15])
    base = {"Phường": (350, 850), "Thị trấn": (330, 800)}.get(ctype, (120, 340))
    late = {"strong": rng.uniform(0.001, 0.008), "medium": rng.uniform(0.02, 0.05),
            "weak": rng.uniform(0.10, 0.18)}[tier]
    on_time = {"strong": rng.uniform(0.01, 0.04), "medium": rng.uniform(0.04, 0.10),
               "weak": rng.uniform(0.06, 0.12)}[tier]
    return {
        "tier": str(tier),
        "volume": float(rng.uniform(*base)),
        "late": float(late), "on_time": float(on_time),
        "apology": {"strong": 1.0, "medium": float(rng.uniform(0.9, 1.0)), "weak": float(rng.uniform(0.45, 0.85))}[tier],
        "stuck": {"strong": 0.0005, "medium": 0.002, "weak": 0.006}[tier],
        "online_offset": float(rng.normal(0, 0.08)),
        "dialogues": 0 if rng.random() < 0.06 else int(rng.choice([1, 2, 2, 3, 4], p=[0.2, 0.35, 0.2, 0.15, 0.1])),
        "surveys": 0.0 if rng.random() < 0.15 else float(rng.uniform(40, 220)),
        "petitions": float(rng.uniform(4, 35)) * (1.6 if tier == "weak" else 1.0),
        "care_letters": rng.random() < 0.75,
        "thanks": int(rng.integers(1, 7)),
    }


def dossiers(rng, cal: Calendar, unit: dict, prof: dict) -> dict:
    span_years = (cal.end - cal.start).astype(int) / 365.25
    n = int(rng.poisson(prof["volume"] * span_years))
    received = cal.draw(rng, n)
    sector_w = rng.dirichlet(np.array([s[1] for s in _SECTORS]) * 60)
    si = rng.choice(len(_SECTORS), n, p=sector_w)
    sector = np.array([s[0] for s in _SECTORS], dtype=object)[si]
    procedure = np.empty(n, dtype=object)
    days = np.zeros(n, dtype=np.int64)
    for i, (_, _, procs) in enumerate(_SECTORS):
        m = si == i
        pw = np.array([p[2] for p in procs])
        pi = rng.choice(len(procs), int(m.sum()), p=pw / pw.sum())
        procedure[m] = np.array([p[0] for p in procs], dtype=object)[pi]
        days[m] = np.array([p[1] for p in procs])[pi]
    # channel: online share grows over time
    t = (received - cal.start).astype(int) / max(1, (cal.end - cal.start).astype(int))
    online_p = np.clip(0.12 + 0.5 * t + prof["online_offset"], 0.02, 0.9)
    weekend = ~np.isin(received, cal.days[cal.workday])
    online_p = np.where(weekend, 0.9, online_p)
    u = rng.random(n)
    channel = np.where(u < online_p, "online", np.where(u < online_p + 0.015, "postal", "direct")).astype(object)
    start_day = cal.offset(received, 0)
    due = cal.offset(start_day, days)
    # outcome
    u = rng.random(n)
    status = np.full(n, "completed", dtype=object)
    status[u < 0.018] = "returned"
    status[(u >= 0.018) & (u < 0.026)] = "withdrawn"
    v = rng.random(n)
    late = v < prof["late"]
    on_time = (~late) & (v < prof["late"] + prof["on_time"])
    early_off = (rng.random(n) * days).astype(np.int64)
    completed = cal.offset(start_day, early_off)
    completed = np.where(on_time, due, completed)
    late_by = np.minimum(rng.geometric(0.3, n), 25)
    completed = np.where(late, cal.offset(due, late_by), completed)
    returned_on = cal.offset(start_day, (rng.random(n) * (days + 1)).astype(np.int64))
    completed = np.where(status == "returned", returned_on, completed)
    stuck = (rng.random(n) < prof["stuck"] * 4) & (received > cal.end - 120) & (status == "completed")
    status[stuck] = "pending"
    status[(completed > cal.end) & (status != "withdrawn")] = "pending"
    has_completed = (status == "completed") | (status == "returned")
    supp_p = [0.9, 0.075, 0.02, 0.005] if prof["tier"] != "weak" else [0.8, 0.13, 0.05, 0.02]
    supplements = rng.choice(4, n, p=supp_p)
    timeliness = np.where(completed < due, "early", np.where(completed == due, "on_time", "late")).astype(object)
    timeliness = np.where(status == "completed", timeliness, None)
    yymmdd = pl.Series(received).dt.strftime("%y%m%d").to_numpy()
    seq = np.arange(1, n + 1)
    ids = np.array([f"{unit['commune_code']}.{d}.{s:05d}" for d, s in zip(yymmdd, seq)], dtype=object)
    return {
        "dossier_id": ids, "sector": sector, "procedure": procedure, "channel": channel,
        "received_date": received, "due_date": due,
        "completed_date": np.where(has_completed, completed, np.datetime64("NaT")).astype("datetime64[D]"),
        "status": status, "supplement_requests": supplements, "reported_timeliness": timeliness,
        "applicant": people.names(rng, n), "applicant_id_number": people.cccd_numbers(rng, n), "applicant_phone": people.phones(rng, n),
        "applicant_address": people.addresses(rng, n, unit),
    }


def letters(rng, cal: Calendar, unit: dict, prof: dict, dos: dict) -> dict:
    late = (dos["status"] == "completed") & (dos["completed_date"] > dos["due_date"])
    overdue = (dos["status"] == "pending") & (dos["due_date"] < cal.end)
    idx = np.flatnonzero((late | overdue) & (rng.random(len(late)) < prof["apology"]))
    sent_a = cal.offset(dos["due_date"][idx], -1)
    sent_a = np.maximum(sent_a, dos["received_date"][idx])
    new_appt = np.where(late[idx], dos["completed_date"][idx], cal.offset(dos["due_date"][idx], 5))
    names_dossier = rng.random(len(idx)) < (0.9 if prof["tier"] != "weak" else 0.7)
    span_years = (cal.end - cal.start).astype(int) / 365.25
    n_t = int(rng.poisson(prof["thanks"] * span_years))
    n_c = int(rng.poisson(14 * span_years)) if prof["care_letters"] else 0
    n_d = int(rng.poisson(7 * span_years)) if prof["care_letters"] else 0
    other_kind = np.array(["thanks"] * n_t + ["congratulation"] * n_c + ["condolence"] * n_d, dtype=object)
    other_dates = cal.draw(rng, len(other_kind), np.where(cal.workday, 1.0, 0.0))
    rng.shuffle(other_kind)
    occ = np.array([rng.choice(_THANKS) if k == "thanks" else rng.choice(_CONGRATS) if k == "congratulation"
                    else rng.choice(_CONDOLENCE) for k in other_kind], dtype=object)
    kind = np.concatenate([np.full(len(idx), "apology", dtype=object), other_kind])
    sent = np.concatenate([sent_a, other_dates]).astype("datetime64[D]")
    order = np.argsort(sent, kind="stable")
    n = len(kind)
    occasion = np.concatenate([rng.choice(_APOLOGY, len(idx)).astype(object), occ])
    dossier_id = np.concatenate([np.where(names_dossier, dos["dossier_id"][idx], None), np.full(len(other_kind), None)])
    appt = np.concatenate([new_appt, np.full(len(other_kind), np.datetime64("NaT"))]).astype("datetime64[D]")
    recipient = np.concatenate([dos["applicant"][idx], people.names(rng, len(other_kind))])
    address = np.concatenate([dos["applicant_address"][idx], people.addresses(rng, len(other_kind), unit)])
    kind, sent, occasion, dossier_id, appt, recipient, address = (
        a[order] for a in (kind, sent, occasion, dossier_id, appt, recipient, address))
    prefix = {"apology": "PXL", "thanks": "TCO", "congratulation": "TCM", "condolence": "TCB"}
    years_ = sent.astype("datetime64[Y]").astype(int) + 1970
    counters: dict = {}
    ids = []
    for k, y in zip(kind, years_):
        counters[(k, y)] = counters.get((k, y), 0) + 1
        ids.append(f"{counters[(k, y)]:03d}/{prefix[k]}-{y}-{unit['commune_code']}")
    return {"letter_id": np.array(ids, dtype=object), "kind": kind, "sent_date": sent, "occasion": occasion,
            "dossier_id": dossier_id, "new_appointment_date": appt, "recipient": recipient,
            "recipient_address": address, "_n": n}


def petitions(rng, cal: Calendar, unit: dict, prof: dict) -> dict:
    span_years = (cal.end - cal.start).astype(int) / 365.25
    n = max(1, int(rng.poisson(prof["petitions"] * span_years)))
    received = cal.draw(rng, n, np.where(cal.workday, 1.0, 0.05))
    kind = rng.choice(["complaint", "denunciation", "petition"], n, p=[0.17, 0.06, 0.77]).astype(object)
    field = rng.choice(_PETITION_FIELDS[0], n, p=_PETITION_FIELDS[1]).astype(object)
    source = rng.choice(_PETITION_SOURCES, n, p=[0.35, 0.2, 0.12, 0.18, 0.08, 0.07]).astype(object)
    within = rng.random(n) < 0.8
    due = np.where(kind == "petition", cal.offset(received, 15), received + 40).astype("datetime64[D]")
    weak = prof["tier"] == "weak"
    u = rng.random(n)
    outcome = np.where(within, "resolved", "transferred").astype(object)
    outcome[u < 0.03] = "withdrawn"
    outcome[(u >= 0.03) & (u < 0.07)] = "filed"
    late = rng.random(n) < (0.25 if weak else 0.06)
    take = np.where(kind == "petition", 15, 40)
    resolved = received + (rng.random(n) * take * 0.9).astype(np.int64)
    resolved = np.where(outcome == "transferred", received + rng.integers(1, 8, n), resolved)
    resolved = np.where(late & (outcome == "resolved"), due + rng.integers(1, 40, n), resolved).astype("datetime64[D]")
    stuck = (rng.random(n) < (0.12 if weak else 0.03)) & (received > cal.end - 200)
    pending = stuck | (resolved > cal.end)
    outcome[pending] = "pending"
    resolved = np.where(pending, np.datetime64("NaT"), resolved).astype("datetime64[D]")
    escalated = rng.random(n) < (0.08 if weak else 0.02)
    yrs = received.astype("datetime64[Y]").astype(int) + 1970
    ids, counters = [], {}
    for y in yrs:
        counters[y] = counters.get(y, 0) + 1
        ids.append(f"{counters[y]:03d}/{y}/{unit['commune_code']}")
    return {"petition_id": np.array(ids, dtype=object), "kind": kind, "received_date": received, "source": source,
            "field": field, "within_authority": within, "due_date": due, "resolved_date": resolved,
            "outcome": outcome, "escalated": escalated, "petitioner": people.names(rng, n),
            "petitioner_id_number": people.cccd_numbers(rng, n), "petitioner_phone": people.phones(rng, n),
            "petitioner_address": people.addresses(rng, n, unit)}


def dialogues(rng, cal: Calendar, unit: dict, prof: dict) -> dict:
    span_years = (cal.end - cal.start).astype(int) / 365.25
    n = int(rng.poisson(prof["dialogues"] * span_years)) if prof["dialogues"] else 0
    dates = cal.draw(rng, n, np.where(cal.workday, 1.0, 0.0)) if n else np.array([], dtype="datetime64[D]")
    ci = rng.choice(len(_CHAIRS), n, p=[c[2] for c in _CHAIRS])
    ctype = unit["commune_type"].replace("Thị trấn", "thị trấn").replace("Xã", "xã").replace("Phường", "phường")
    chair = np.array([(_CHAIRS[i][0] + (f" {ctype}" if "UBND" in _CHAIRS[i][0] else "")) for i in ci], dtype=object)
    head = np.array([_CHAIRS[i][1] for i in ci], dtype=bool)
    raised = rng.integers(3, 26, n)
    answered = raised - np.where(rng.random(n) < 0.3, rng.integers(1, 4, n), 0)
    answered = np.maximum(answered, 0)
    yrs = dates.astype("datetime64[Y]").astype(int) + 1970
    ids = [f"HN-{y}-{k + 1:02d}" for k, y in enumerate(yrs)]
    return {"dialogue_id": np.array(ids, dtype=object), "dialogue_date": dates, "chair": chair,
            "chair_is_head": head, "topic": rng.choice(_DIALOGUE_TOPICS, n).astype(object),
            "attendees": rng.integers(40, 260, n), "opinions_raised": raised, "opinions_answered": answered}


def surveys(rng, cal: Calendar, unit: dict, prof: dict, dos: dict) -> dict:
    span_years = (cal.end - cal.start).astype(int) / 365.25
    n = int(rng.poisson(prof["surveys"] * span_years)) if prof["surveys"] else 0
    p = {"strong": [0.003, 0.01, 0.08, 0.44, 0.467], "medium": [0.005, 0.03, 0.14, 0.47, 0.355],
         "weak": [0.02, 0.07, 0.22, 0.45, 0.24]}[prof["tier"]]
    overall = rng.choice(np.arange(1, 6), n, p=p)

    def crit():
        return np.clip(overall + rng.choice([-1, 0, 0, 0, 0, 1], n), 1, 5)

    done = np.flatnonzero(dos["status"] == "completed")
    pick = done[rng.integers(0, len(done), n)] if len(done) else np.zeros(n, dtype=int)
    dates = dos["completed_date"][pick] if len(done) else cal.draw(rng, n)
    order = np.argsort(dates, kind="stable")
    yrs = dates[order].astype("datetime64[Y]").astype(int) + 1970
    counters: dict = {}
    ids = []
    for y in yrs:
        counters[y] = counters.get(y, 0) + 1
        ids.append(f"{unit['commune_code']}-{y}-{counters[y]:04d}")
    out = {"response_id": np.array(ids, dtype=object), "survey_date": dates[order],
           "dossier_id": dos["dossier_id"][pick][order] if len(done) else np.full(n, None),
           "overall": overall[order], "respect": crit()[order], "civility": crit()[order],
           "guidance": crit()[order], "explanation": crit()[order],
           "harassment": (rng.random(n) < (0.004 if prof["tier"] != "weak" else 0.015))[order],
           "respondent": people.names(rng, n), "respondent_phone": people.phones(rng, n)}
    return out



def commune_records(seed: int, unit: dict, cal: Calendar) -> tuple[dict, dict[str, dict]]:
    """(profile, records per kind) of one commune over the calendar."""
    code = int(unit["commune_code"])
    prof = profile(np.random.default_rng([seed, code, 0]), unit["commune_type"])
    dos = dossiers(np.random.default_rng([seed, code, 1]), cal, unit, prof)
    return prof, {"dossier": dos,
                  "letter": letters(np.random.default_rng([seed, code, 2]), cal, unit, prof, dos),
                  "petition": petitions(np.random.default_rng([seed, code, 3]), cal, unit, prof),
                  "dialogue": dialogues(np.random.default_rng([seed, code, 4]), cal, unit, prof),
                  "survey": surveys(np.random.default_rng([seed, code, 5]), cal, unit, prof, dos)}
