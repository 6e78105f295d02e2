"""The one configuration file: province, indicator targets and weights, statutory days.

Users edit ``config/dvcq.toml`` (or the file named by ``DVCQ_CONFIG``); this model validates
it, and a bad value raises ``ConfigError`` naming the key and the allowed range. Indicator
labels and explanations live in the file too, so pages show them without retyping.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from collections.abc import Callable
from typing import Annotated, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from schemas.records import RecordKind

DEFAULT_CONFIG_PATH = Path(__file__).resolve().parents[1] / "config" / "dvcq.toml"

GroupId = Literal["5_biet", "3_khong", "4_the_hien"]

# The 12 indicators of "5 biết, 3 không, 4 thể hiện", in display order, and the supporting
# overall-satisfaction rate. Their rules are implemented in pipelines/sql; their words,
# targets and weights come from the configuration file.
SCORED_INDICATORS: tuple[str, ...] = (
    "biet_nghe", "biet_noi", "biet_lam", "biet_xin_loi", "biet_cam_on",
    "khong_phien_ha", "khong_ne_tranh", "khong_tre_hen",
    "the_hien_ton_trong", "the_hien_van_minh", "the_hien_lang_nghe", "the_hien_gan_gui",
)
SUPPORTING_RATES: tuple[str, ...] = ("hai_long",)
ALL_RATES: tuple[str, ...] = SCORED_INDICATORS + SUPPORTING_RATES


class ConfigError(ValueError):
    """The configuration file is missing, unreadable or has a bad value."""


# What XML 1.0 allows in text (a Word file is XML): tab, line feed, carriage return and the printable planes.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_legal(text: str) -> str:
    """A text people edit that ends up in a page or a Word file: a control character (U+0000, U+0001,
    U+000B…) cannot be written to the Word file, so it is refused here, by its code, where it was typed."""
    found = _NOT_XML.search(text)
    if found:
        raise ValueError(f"có ký tự điều khiển U+{ord(found.group()):04X} ở vị trí {found.start() + 1} "
                         "(không in được, Word không nhận): hãy xóa ký tự đó")
    return text


XmlText = Annotated[str, AfterValidator(xml_legal)]
"""A string field checked by ``xml_legal``."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class IndicatorConfig(_Strict):
    label: XmlText = Field(min_length=1, description="Vietnamese name shown on pages")
    group: GroupId | None = Field(default=None, description="slogan group; absent for supporting rates")
    target: float = Field(ge=0, le=100, description="target rate in percent")
    weight: float = Field(ge=0, le=100, description="weight of the item inside its group")
    explanation: XmlText = Field(min_length=1, description="how it is computed, in Vietnamese")
    requires: RecordKind | None = Field(
        default=None, description="the record kind the model requires for this indicator: a unit that sent none "
                                  "of it in the period has not shown the indicator and scores 0 points on it")
    none_reason: XmlText | None = Field(
        default=None, min_length=1,
        description="why the indicator may have no value although the unit sent what it must: there was nothing "
                    "to count (neutral: left out of the composite for every unit alike), in Vietnamese. Without "
                    "it, an indicator that requires a kind and has no value is not sent (0 points)")


class GroupConfig(_Strict):
    label: XmlText = Field(min_length=1)
    weight: float = Field(ge=0, le=100)


class PetitionDueConfig(_Strict):
    """Statutory days used when a petition has no due date of its own."""

    complaint_days: int = Field(ge=1, le=365, description="calendar days (Luật Khiếu nại 2011: 10 + 30)")
    denunciation_days: int = Field(ge=1, le=365, description="calendar days (Luật Tố cáo 2018)")
    petition_working_days: int = Field(ge=1, le=365, description="working days (Decision 766/QĐ-TTg)")


DueKind = Literal["dossier", "petition"]
"""The record kinds that have a due date, so can be overdue or due soon."""


class DueSoonConfig(_Strict):
    """When a pending dossier or petition is "sắp đến hạn" (docs/indicators.md, "Due soon"): its window in
    working days is the configured number for its kind, else the last 1/``processing_parts`` of its
    processing time rounded up, and at least ``min_working_days``."""

    processing_parts: int = Field(ge=1, le=100, description="the window is the last 1/N of the processing time "
                                                            "(working days from received to due), rounded up")
    min_working_days: int = Field(ge=1, le=365, description="the window is at least this many working days")
    working_days: dict[DueKind, Annotated[int, Field(ge=1, le=365)]] = Field(
        default_factory=dict, description="a fixed window in working days for a record kind, instead of its share "
                                          "of the processing time")


class IngestConfig(_Strict):
    future_tolerance_days: int = Field(ge=0, le=3650, description="dates later than today + this are rejected")
    max_uncompressed_mb: int = Field(ge=10, le=20_000, description="a workbook unpacking beyond this is refused")
    max_sheet_cells: int = Field(ge=10_000, le=1_000_000_000, description="a sheet declaring more cells is refused")
    earliest_date: str = Field(pattern=r"^(20[0-4]\d)-\d{2}-\d{2}$",
                               description="dates before this are rejected; 2000-01-01 or later (working-day calendar)")
    missing_from_newer_export: Literal["report", "close"] = Field(
        default="report",
        description="a record still pending that a newer export of its commune no longer lists although it was "
                    "received within the dates the export covers: 'report' names it in the file's note and leaves it "
                    "pending; 'close' also sets it withdrawn on the export's latest event date of its commune (it "
                    "left the desk without a result), until a later export lists it again")


class SubmissionConfig(_Strict):
    """A record kind every commune must send: how often, by which day, and whether a period may have none."""

    every: Literal["month", "quarter"] = Field(description="the period one export covers")
    due_day: int = Field(ge=1, le=28, description="the export is due by this day of the month after its period")
    may_be_empty: bool = Field(description="a period without records is 'không có bản ghi', not missing "
                                           "(a month may have no petition; it always has dossiers)")
    label: XmlText = Field(min_length=1, description="what the commune sends, in Vietnamese (\"sổ theo dõi hồ sơ\")")

    @property
    def months(self) -> int:
        """The length of one period in months."""
        return {"month": 1, "quarter": 3}[self.every]


class ExplorerConfig(_Strict):
    max_running_queries: int = Field(ge=1, le=16, description=(
        "SQL explorer queries running at once on the server (each in its own process, up to 3 GB); "
        "one more is told the server is busy"))


class AccessConfig(_Strict):
    """Sign-in: how long a session lasts and when repeated failures lock an account."""

    session_hours: float = Field(gt=0, le=24 * 30, description="a session ends this long after sign-in")
    max_failed_sign_ins: int = Field(ge=1, le=100, description="failed sign-ins in a row that lock the account")
    lockout_minutes: int = Field(ge=1, le=24 * 60, description="how long a locked account refuses every password")
    min_password_length: int = Field(ge=8, le=128, description="a shorter password is refused when it is set")
    secure_cookie: bool = Field(description="send the session cookie over HTTPS only (true behind a TLS proxy)")


class DigestConfig(_Strict):
    """The digest (``dvcq digest``, docs/digest.md): where its links point and how its e-mail leaves. The SMTP
    password is never in the file: ``smtp_password_env`` names the environment variable that holds it."""

    dashboard_url: str = Field(pattern=r"^https?://[^\s?#]+$",
                               description="the dashboard's address as officials open it; every link starts with it")
    smtp_host: str = Field(min_length=1, description="the mail server that relays the digest")
    smtp_port: int = Field(ge=1, le=65535, description="587 for submission with STARTTLS")
    smtp_sender: str = Field(pattern=r"^[^@\s]+@[^@\s]+$", description="the From address")
    smtp_username: str = Field(default="", description="the login at the mail server; empty: no login")
    smtp_password_env: str = Field(pattern=r"^[A-Z_][A-Z0-9_]*$",
                                   description="the environment variable holding the mail server's password")
    starttls: bool = Field(default=True, description="upgrade the connection with STARTTLS before the login "
                                                     "(refused when the server does not offer it)")
    smtp_ca_file: str = Field(default="", description="a CA certificate (PEM) to trust besides the system's, for "
                                                      "a mail server with a private certificate; empty: the system's")
    timeout: float = Field(gt=0, le=300, description="seconds to wait for the mail server or a webhook")
    items: int = Field(ge=1, le=50, description="items listed per section of the text (the oldest first); the "
                                                "XLSX holds them all")


class DvcqConfig(_Strict):
    province_code: str = Field(pattern=r"^\d{2}$", description="the province this deployment serves")
    min_indicators_ranked: int = Field(ge=1, le=12, description="composite unranked below this coverage")
    min_communes_reporting_ranked: float = Field(
        ge=0, le=100, description="a district or area is unranked when fewer of its communes (%) sent data")
    required_dialogues_per_year: float = Field(gt=0, le=52)
    thanks_letters_per_year: float = Field(gt=0, le=1000)
    dialogue_rule_months: int = Field(ge=1, le=60, description="'no dialogue in the last N months' rule")
    bottom_rank_fraction: float = Field(gt=0, lt=1, description="bottom share of ranked communes flagged")
    backlog_bucket_edges: list[int] = Field(min_length=1, description="upper edges in working days, e.g. 5,15,30")
    petition_due: PetitionDueConfig
    due_soon: DueSoonConfig
    ingest: IngestConfig
    explorer: ExplorerConfig
    access: AccessConfig
    digest: DigestConfig
    groups: dict[GroupId, GroupConfig]
    indicators: dict[str, IndicatorConfig]
    submissions: dict[RecordKind, SubmissionConfig] = Field(
        description="the record kinds every commune must send; a kind not listed is not chased")

    @model_validator(mode="after")
    def _complete_and_consistent(self) -> "DvcqConfig":
        missing = [i for i in ALL_RATES if i not in self.indicators]
        unknown = [i for i in self.indicators if i not in ALL_RATES]
        if missing or unknown:
            raise ValueError(f"indicators: missing {missing}, unknown {unknown}; expected exactly {list(ALL_RATES)}")
        for name in SCORED_INDICATORS:
            if self.indicators[name].group is None:
                raise ValueError(f"indicators.{name}.group: a scored indicator needs one of {list(self.groups)}")
            if self.indicators[name].none_reason is None and self.indicators[name].requires is None:
                raise ValueError(f"indicators.{name}: give none_reason (why it may have nothing to count, e.g. "
                                 "\"không có hồ sơ trễ hẹn\") or requires (the record kind it must be shown by)")
        edges = self.backlog_bucket_edges
        if any(e <= 0 for e in edges) or edges != sorted(set(edges)):
            raise ValueError("backlog_bucket_edges: positive whole numbers in increasing order, e.g. [5, 15, 30]")
        if sum(g.weight for g in self.groups.values()) <= 0:
            raise ValueError("groups.*.weight: at least one group needs a weight above 0")
        return self

    def effective_weights(self) -> dict[str, float]:
        """Weight of each scored indicator in the composite: group weight shared among its items.

        Renormalisation over the indicators a unit actually has happens in the engine.
        """
        weights: dict[str, float] = {}
        for group_id, group in self.groups.items():
            items = [i for i in SCORED_INDICATORS if self.indicators[i].group == group_id]
            total = sum(self.indicators[i].weight for i in items)
            for i in items:
                weights[i] = group.weight * self.indicators[i].weight / total if total else 0.0
        return weights


Model = TypeVar("Model", bound=BaseModel)


def read_toml_model(source: Path, model: type[Model], error: type[ConfigError], what: str,
                    problem: Callable[[dict], str], separator: str = "\n  ") -> Model:
    """Read a TOML file people edit and validate it against ``model``. Every failure is one ``error``
    naming the file by its name, never its folders (the dashboard shows it to visitors; ``what`` says
    which kind) and, for bad values, each key with ``problem``'s words,
    the keys joined by ``separator`` (one line where the message must stay one line)."""
    name = source.name  # never the folder: the message may be shown to a visitor of the dashboard
    try:
        raw = tomllib.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise error(f"Không tìm thấy {what} {name}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise error(f"{what.capitalize()} {name} sai cú pháp TOML: {exc}") from exc
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems = [problem(err) for err in exc.errors()]
        lead = separator if separator.isspace() else " "  # a list below, or the list on the same line
        raise error(f"{what.capitalize()} {name} có giá trị không hợp lệ:{lead}" + separator.join(problems)) from exc


def _config_problem(err: dict) -> str:
    key = ".".join(str(p) for p in err["loc"]) or "(gốc)"
    message = str(err["ctx"]["error"]) if err["type"] == "value_error" and "ctx" in err else err["msg"]
    return f"{key}: {message} (giá trị: {err.get('input')!r})"


def load_config(path: str | os.PathLike | None = None) -> DvcqConfig:
    """Read and validate the configuration; ``DVCQ_CONFIG`` overrides the default path."""
    source = Path(path or os.environ.get("DVCQ_CONFIG") or DEFAULT_CONFIG_PATH)
    return read_toml_model(source, DvcqConfig, ConfigError, "tệp cấu hình", _config_problem)
