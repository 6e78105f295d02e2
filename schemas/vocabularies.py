"""Value vocabularies: the canonical codes stored in the warehouse and the words communes write.

Each vocabulary maps a canonical value (English/ASCII, what the warehouse stores) to the
spellings seen in real exports. Matching folds case, diacritics, spacing and punctuation
(see ``pipelines.text.fold``), so only one spelling per word is listed here; the unaccented
and upper-case variants come for free. This module is the single place these words live.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Vocabulary(BaseModel):
    """A closed set of canonical values, each with the phrases that mean it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    description: str
    values: dict[str, list[str]] = Field(description="canonical value -> phrases (Vietnamese, English)")
    labels_vi: dict[str, str] = Field(description="canonical value -> label shown to users")

    def phrases(self) -> list[tuple[str, str]]:
        """(phrase, canonical) pairs, the canonical value itself included as a phrase."""
        pairs = [(canonical, canonical) for canonical in self.values]
        pairs += [(phrase, canonical) for canonical, words in self.values.items() for phrase in words]
        return pairs


DOSSIER_STATUS = Vocabulary(
    name="dossier_status",
    description="Processing status of an administrative-procedure dossier.",
    values={
        "pending": ["đang giải quyết", "đang xử lý", "chưa giải quyết", "chưa trả kết quả", "đang thụ lý",
                    "chờ xử lý", "in progress"],
        "completed": ["đã trả kết quả", "đã giải quyết", "hoàn thành", "đã hoàn thành", "đã trả",
                      "trả kết quả", "đã xử lý", "done"],
        "returned": ["trả lại", "từ chối", "không đủ điều kiện", "bị từ chối", "trả lại hồ sơ", "rejected"],
        "withdrawn": ["rút hồ sơ", "đã rút", "công dân rút hồ sơ", "hủy", "withdraw"],
    },
    labels_vi={"pending": "Đang giải quyết", "completed": "Đã trả kết quả",
               "returned": "Trả lại", "withdrawn": "Rút hồ sơ"},
)

TIMELINESS = Vocabulary(
    name="timeliness",
    description="Whether a completed dossier met its due date (used only when a date is missing).",
    values={
        "early": ["trước hạn", "sớm hạn", "sớm"],
        "on_time": ["đúng hạn", "đúng hẹn", "on time"],
        "late": ["quá hạn", "trễ hạn", "trễ hẹn", "chậm", "chậm trễ", "quá hẹn"],
    },
    labels_vi={"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Quá hạn"},
)

CHANNEL = Vocabulary(
    name="channel",
    description="How the dossier reached the one-stop desk.",
    values={
        "direct": ["trực tiếp", "tại quầy", "một cửa", "nộp trực tiếp"],
        "online": ["trực tuyến", "dịch vụ công trực tuyến", "dịch vụ công", "dvc trực tuyến", "qua mạng",
                   "cổng dịch vụ công", "nộp trực tuyến"],
        "postal": ["bưu chính", "bưu chính công ích", "bcci", "qua bưu điện", "bưu điện"],
    },
    labels_vi={"direct": "Trực tiếp", "online": "Trực tuyến", "postal": "Bưu chính công ích"},
)

LETTER_KIND = Vocabulary(
    name="letter_kind",
    description="Kind of letter a commune sends to citizens.",
    values={
        "apology": ["xin lỗi", "thư xin lỗi", "phiếu xin lỗi", "phiếu xin lỗi và hẹn lại ngày trả kết quả",
                    "mẫu 04", "xin lỗi và hẹn lại"],
        "thanks": ["cảm ơn", "cám ơn", "thư cảm ơn", "thư cám ơn"],
        "congratulation": ["chúc mừng", "thư chúc mừng", "thiệp chúc mừng"],
        "condolence": ["chia buồn", "thư chia buồn", "phân ưu", "thư phân ưu", "thăm hỏi"],
    },
    labels_vi={"apology": "Thư xin lỗi", "thanks": "Thư cảm ơn",
               "congratulation": "Thư chúc mừng", "condolence": "Thư chia buồn"},
)

PETITION_KIND = Vocabulary(
    name="petition_kind",
    description="Kind of citizen petition (đơn thư).",
    values={
        "complaint": ["khiếu nại", "đơn khiếu nại"],
        "denunciation": ["tố cáo", "đơn tố cáo"],
        "petition": ["kiến nghị", "phản ánh", "kiến nghị phản ánh", "phản ánh kiến nghị", "đơn kiến nghị",
                     "đơn phản ánh", "đề nghị"],
    },
    labels_vi={"complaint": "Khiếu nại", "denunciation": "Tố cáo", "petition": "Kiến nghị, phản ánh"},
)

PETITION_OUTCOME = Vocabulary(
    name="petition_outcome",
    description="Where a petition stands.",
    values={
        "resolved": ["đã giải quyết", "giải quyết xong", "hoàn thành", "đã xử lý", "đã trả lời"],
        "transferred": ["chuyển cơ quan có thẩm quyền", "đã chuyển", "chuyển", "chuyển đơn", "hướng dẫn",
                        "đã hướng dẫn", "chuyển hướng dẫn"],
        "withdrawn": ["rút đơn", "đã rút đơn", "công dân rút đơn"],
        "filed": ["lưu đơn", "lưu", "lưu hồ sơ", "đã lưu"],
        "pending": ["đang giải quyết", "chưa giải quyết", "đang xử lý", "đang xác minh", "chờ xử lý"],
    },
    labels_vi={"resolved": "Đã giải quyết", "transferred": "Chuyển cơ quan có thẩm quyền",
               "withdrawn": "Rút đơn", "filed": "Lưu đơn", "pending": "Đang giải quyết"},
)

YES_NO = Vocabulary(
    name="yes_no",
    description="Yes/no flags as clerks write them (an empty cell is unknown).",
    values={
        "true": ["x", "có", "co", "1", "yes", "y", "đúng", "c", "đạt"],
        "false": ["không", "0", "no", "n", "sai", "k", "ko"],
    },
    labels_vi={"true": "Có", "false": "Không"},
)

RATING = Vocabulary(
    name="rating",
    description="Satisfaction rating, stored as 1–5 (5 best).",
    values={
        "5": ["rất hài lòng", "rat hai long", "very satisfied"],
        "4": ["hài lòng", "satisfied"],
        "3": ["bình thường", "chấp nhận được", "neutral", "tạm được"],
        "2": ["không hài lòng", "chưa hài lòng", "dissatisfied"],
        "1": ["rất không hài lòng", "very dissatisfied"],
    },
    labels_vi={"5": "Rất hài lòng", "4": "Hài lòng", "3": "Bình thường",
               "2": "Không hài lòng", "1": "Rất không hài lòng"},
)

PETITION_TIMELINESS = Vocabulary(
    name="petition_timeliness",
    description="Where a petition stands against its effective due date at the as-of date (derived, never read).",
    values={"closed_on_time": [], "closed_late": [], "open_overdue": [], "open_in_time": []},
    labels_vi={"closed_on_time": "Giải quyết đúng hạn", "closed_late": "Giải quyết quá hạn",
               "open_overdue": "Chưa giải quyết, đã quá hạn", "open_in_time": "Chưa giải quyết, còn trong hạn"},
)

SUBMISSION_STATUS = Vocabulary(
    name="submission_status",
    description="Whether a commune sent the records of one kind for one month (derived, never read): sent by "
                "the day it was due, sent after it (judged only where dvcq was already collecting by then), not "
                "sent, no records in a kind a month may legitimately lack, or not due yet.",
    values={"sent": [], "late": [], "missing": [], "empty": [], "not_due": []},
    labels_vi={"sent": "Đã gửi", "late": "Gửi muộn", "missing": "Chưa gửi", "empty": "Không có bản ghi",
               "not_due": "Chưa đến hạn"},
)

VOCABULARIES: dict[str, Vocabulary] = {
    v.name: v for v in (DOSSIER_STATUS, TIMELINESS, CHANNEL, LETTER_KIND, PETITION_KIND,
                        PETITION_OUTCOME, YES_NO, RATING, PETITION_TIMELINESS, SUBMISSION_STATUS)
}
