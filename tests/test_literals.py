"""Labels are written once: no string in ``dashboard/`` or ``pipelines/`` (Python constants, docstrings aside, and
SQL literals) equals a label or a catalog-owned code of ``schemas/`` or ``config/``; the SQL holds no Vietnamese
(its words are bound from the catalog); the count of indicators is never typed."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

from schemas.admin_unit import ERA_LABELS_VI, ERA_SHORT_VI, GROUPINGS, LEVEL_CODES, LEVEL_TERMS, LEVELS
from schemas.catalog import (COMPOSITE, COMPOSITE_LABEL, FLAG_KINDS, FLAG_KINDS_SHORT, INDICATOR_COUNT, MEASURES,
                             NOTHING_TO_COUNT, OUTPUT_LABELS, RECORD_DETAILS, STATUS_LABELS, bucket_labels,
                             rule_labels)
from schemas.config import SCORED_INDICATORS, load_config
from schemas.records import RECORD_SCHEMAS
from schemas.vocabularies import VOCABULARIES

ROOT = Path(__file__).resolve().parents[1]
SCANNED = [p for d in ("dashboard", "pipelines") for p in sorted((ROOT / d).rglob("*.py"))
           # The sample generator writes what clerks type in their own exports, on purpose not the catalog's words.
           if "sample" not in p.relative_to(ROOT).parts]
SQL = sorted((ROOT / "pipelines" / "sql").glob("*.sql"))
CATALOG_PY = ROOT / "schemas" / "catalog.py"

# Strings that equal a label by coincidence, each a different idea: (file, string).
COINCIDENCES = {
    ("dashboard/app.py", "Đơn vị"),            # the page's name in the navigation, not the unit column's header
    ("dashboard/pages/don_vi.py", "Đơn vị"),   # the same page's title
    ("dashboard/links.py", "Tháng"),           # the sidebar's period kind, not the month column's header
    ("dashboard/explore.py", "Kết quả"),       # the sheet of a query's result, not a petition's outcome
}


def catalog_labels() -> set[str]:
    cfg = load_config()
    labels = {label for v in VOCABULARIES.values() for label in v.labels_vi.values()}
    labels |= {*MEASURES.values(), *FLAG_KINDS.values(), *FLAG_KINDS_SHORT.values(), *OUTPUT_LABELS.values(),
               *STATUS_LABELS.values(), *rule_labels(cfg).values(), COMPOSITE_LABEL, *ERA_LABELS_VI.values(),
               *ERA_SHORT_VI.values(), *bucket_labels(cfg.backlog_bucket_edges), *RECORD_DETAILS.values()}
    labels |= {x for terms in LEVEL_TERMS.values() for t in terms for x in (t.label, t.word)}
    labels |= {i.label for i in cfg.indicators.values()} | {g.label for g in cfg.groups.values()}
    labels |= {s.label for s in cfg.submissions.values()}
    labels |= {x for s in RECORD_SCHEMAS.values() for x in (s.label_vi, *(c.label_vi for c in s.columns))}
    return labels


def catalog_codes() -> set[str]:
    """Codes the catalog owns and names by a constant or a vocabulary: the composite, 'nothing to count', level
    codes other than the engine's groupings (commune, district and province are also the unit columns' names
    everywhere), flag kinds and rule ids. ``not_sent`` is also the name of the engine's column listing the
    indicators not sent. Record-value codes (pending, late, …) are data the rules compare with;
    ``test_catalog`` checks that SQL compares only declared ones."""
    levels = {t.code for terms in LEVEL_TERMS.values() for t in terms} - set(GROUPINGS)
    values = {code for v in VOCABULARIES.values() for code in v.values}  # 'missing' is also a submission status
    return {COMPOSITE, NOTHING_TO_COUNT, *levels, *FLAG_KINDS, *rule_labels(load_config())} - values


# The flag kinds and rule ids are made by the flags engine: the one module that writes them.
CODE_HOMES = {code: "pipelines/engine/flags.py" for code in (*FLAG_KINDS, *rule_labels(load_config()))
              if code != COMPOSITE}


def python_strings(path: Path) -> list[tuple[int, str]]:
    """(line, value) of every string constant but docstrings, f-strings' literal parts included."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


def sql_strings(path: Path) -> list[str]:
    return re.findall(r"'([^']*)'", re.sub(r"--[^\n]*", "", path.read_text(encoding="utf-8")))


def retyped(labels: set[str], codes: set[str]) -> list[str]:
    found = []
    for path in SCANNED:
        name = path.relative_to(ROOT).as_posix()
        for line, value in python_strings(path):
            if (value in labels and (name, value) not in COINCIDENCES) or (
                    value in codes and CODE_HOMES.get(value) != name):
                found.append(f"{name}:{line}: {value!r}")
    for path in SQL:
        found += [f"{path.relative_to(ROOT).as_posix()}: {v!r}" for v in sql_strings(path) if v in labels | codes]
    return found


def test_no_label_or_catalog_code_is_retyped():
    assert retyped(catalog_labels(), catalog_codes()) == []


def test_the_sql_holds_no_vietnamese():
    """Its words are the codes table's labels or bound from schemas.catalog.RECORD_DETAILS."""
    found = [f"{p.name}: {v!r}" for p in SQL for v in sql_strings(p) if any(ord(ch) > 127 for ch in v)]
    assert found == []


def typed_counts() -> list[str]:
    typed = re.compile(rf"(?<!\d){INDICATOR_COUNT} chỉ số")
    return [f"{p.relative_to(ROOT).as_posix()}:{line}" for p in SCANNED for line, v in python_strings(p)
            if typed.search(v)]


def test_the_count_of_indicators_is_never_typed():
    """schemas.catalog.INDICATOR_COUNT, or the configuration's group labels, say it."""
    assert typed_counts() == []


def test_the_finder_finds_each_kind_of_retyping(tmp_path, monkeypatch):
    """A page, a chrome spec, the engine and the SQL each retyping a label or a code is found."""
    page = tmp_path / "dashboard" / "pages" / "x.py"
    page.parent.mkdir(parents=True)
    page.write_text('"""Not checked: Hồ sơ tiếp nhận."""\ncard("Hồ sơ tiếp nhận", "composite")\n'
                    'SPEC = {"commune_name": ("Xã/phường/thị trấn", "text")}\nlevel = "area"\n'
                    'flag = "below_target"\ntitle = f"12 chỉ số {x}"\n'
                    'FlagKind = Literal["rule", "missing", "below_target", "below_peers", "bottom_rank"]\n'
                    'choices = ("commune", "district", "area", "province")\n'
                    'def bucket_labels(edges):\n    return [f"> {edges[-1]}"]\n'
                    'reason = f"{n} xã/phường/thị trấn không tổ chức"\n', encoding="utf-8")
    sql = tmp_path / "q.sql"
    sql.write_text("-- 'không rõ' in a comment is not checked\nSELECT 'không rõ', 'số lần yêu cầu bổ sung: {}'",
                   encoding="utf-8")
    here = sys.modules[__name__]
    monkeypatch.setattr(here, "ROOT", tmp_path)
    monkeypatch.setattr(here, "SCANNED", [page])
    monkeypatch.setattr(here, "SQL", [sql])
    assert sorted(retyped(catalog_labels(), catalog_codes())) == [
        "dashboard/pages/x.py:2: 'Hồ sơ tiếp nhận'", "dashboard/pages/x.py:2: 'composite'",
        "dashboard/pages/x.py:3: 'Xã/phường/thị trấn'", "dashboard/pages/x.py:4: 'area'",
        "dashboard/pages/x.py:5: 'below_target'", "dashboard/pages/x.py:7: 'below_peers'",
        "dashboard/pages/x.py:7: 'below_target'", "dashboard/pages/x.py:7: 'bottom_rank'", "dashboard/pages/x.py:7: 'rule'",
        "dashboard/pages/x.py:8: 'area'", "q.sql: 'không rõ'", "q.sql: 'số lần yêu cầu bổ sung: {}'"]
    assert typed_counts() == ["dashboard/pages/x.py:6"]
    assert sorted(restated_lists()) == ["dashboard/pages/x.py:7: FLAG_KINDS", "dashboard/pages/x.py:8: LEVEL_CODES"]
    assert copied_functions() == ["dashboard/pages/x.py: bucket_labels shadows schemas.catalog.bucket_labels"]
    assert level_lists_in_text() == ["dashboard/pages/x.py:11"]


def catalog_code_lists() -> dict[str, tuple[str, ...]]:
    """The code lists the catalog writes once, by name: each vocabulary, the flag kinds, the indicator statuses, the
    levels of each structure and of both, the engine's groupings, the scored indicators, the record kinds."""
    lists = {v.name: v.values for v in VOCABULARIES.values()}
    lists |= {"FLAG_KINDS": FLAG_KINDS, "STATUS_LABELS": STATUS_LABELS, "LEVEL_CODES": LEVEL_CODES,
              "GROUPINGS": GROUPINGS, "SCORED_INDICATORS": SCORED_INDICATORS, "RECORD_SCHEMAS": RECORD_SCHEMAS}
    lists |= {f"LEVELS[{era}]": codes for era, codes in LEVELS.items()}
    return {name: tuple(codes) for name, codes in lists.items() if len(codes) >= 3}


def restated_lists() -> list[str]:
    """Tuples, lists and Literal[...] of string constants that are one of the catalog's code lists in its order (a
    list in another order is another idea: the order a report or a colour scale lists them in)."""
    lists = catalog_code_lists()
    found = []
    for path in SCANNED:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.Tuple, ast.List)) and node.elts and all(
                    isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts):
                values = tuple(e.value for e in node.elts)
                found += [f"{path.relative_to(ROOT).as_posix()}:{node.lineno}: {name}"
                          for name, codes in lists.items() if values == codes]
    return found


def copied_functions() -> list[str]:
    """Functions whose body is a catalog function's, or that bear a catalog function's name without calling
    anything imported from the catalog (a wrapper that fills in the configuration calls it)."""
    catalog = ast.parse((CATALOG_PY).read_text(encoding="utf-8"))

    def bodies(tree: ast.AST) -> dict[str, str]:
        return {ast.dump(ast.Module(body=[s for s in n.body if not (isinstance(s, ast.Expr) and isinstance(
            s.value, ast.Constant))], type_ignores=[])): n.name
            for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}

    ours = bodies(catalog)
    found = []
    for p in SCANNED:
        tree = ast.parse(p.read_text(encoding="utf-8"))
        name = p.relative_to(ROOT).as_posix()
        found += [f"{name}: {fn} copies schemas.catalog.{ours[body]}" for body, fn in bodies(tree).items()
                  if body in ours]
        imported = {a.asname or a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)
                    and n.module == "schemas.catalog" for a in n.names}
        found += [f"{name}: {n.name} shadows schemas.catalog.{n.name}" for n in ast.walk(tree)
                  if isinstance(n, ast.FunctionDef) and n.name in set(ours.values())
                  and not any(isinstance(c, ast.Name) and c.id in imported for c in ast.walk(n))]
    return found


def level_lists_in_text() -> list[str]:
    """Strings that spell a level label made of several names ('xã/phường/thị trấn') inside a sentence."""
    spelled = {t.label.casefold() for terms in LEVEL_TERMS.values() for t in terms if "/" in t.label}
    return [f"{p.relative_to(ROOT).as_posix()}:{line}" for p in SCANNED for line, v in python_strings(p)
            if v.casefold() not in spelled and any(s in v.casefold() for s in spelled)]


def test_no_code_list_is_restated():
    assert restated_lists() == []


def test_no_catalog_function_is_copied():
    assert copied_functions() == []


def test_no_level_label_is_spelled_inside_a_sentence():
    assert level_lists_in_text() == []
