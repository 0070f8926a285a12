"""Docs change with the code: examples run, every hook and rule is documented."""

from __future__ import annotations

import contextlib
import difflib
import doctest
import io
import json
import os
import re
import shlex
import shutil
import sys
from decimal import Decimal
from pathlib import Path

import pytest

import perfrules
from perfrules import _registry, _weights, hookspecs

DOCS = Path(__file__).parent.parent / "docs"


@pytest.mark.parametrize("module", [perfrules, _weights], ids=lambda m: m.__name__)
def test_doctests(module: object) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)  # type: ignore[arg-type]
    assert result.attempted > 0
    assert result.failed == 0


def test_every_hook_is_documented() -> None:
    text = (DOCS / "plugins.md").read_text("utf-8")
    for name in hookspecs.__all__:
        if name.startswith("perfrules_"):
            assert f"`{name}`" in text, name


def test_every_builtin_rule_has_a_section(registry: perfrules.Registry) -> None:
    text = (DOCS / "rules.md").read_text("utf-8")
    for name in registry.rules:
        assert f"## `{name}`" in text, name


def test_every_builtin_ruleset_is_listed(registry: perfrules.Registry) -> None:
    text = (DOCS / "rules.md").read_text("utf-8")
    for ruleset in registry.rulesets.values():
        assert f"`{ruleset.id}`" in text, ruleset.ref


# -- every command the docs show, with the output they show -------------------------
#
# A ```console block holds commands (`$ perfrules …`) each followed by its output,
# exactly as a terminal shows it. The commands of one page run in order in one
# folder that holds the files the guides work on (build_demo), and each output must
# be what the page shows. When an output changes on purpose, rewrite the pages with
#     PERFRULES_UPDATE_SNAPSHOT=1 python -m pytest tests/test_docs.py
# and read the diff before committing it.

UPDATE = os.environ.get("PERFRULES_UPDATE_SNAPSHOT") == "1"
CONSOLE = re.compile(r"^```console\n(.*?)^```$", re.S | re.M)


#: the files the Chinese guide works on, downloadable from its pages (docs/zh/examples/)
EXAMPLES = DOCS / "zh" / "examples"
INBOX = "收到的自评表"


def build_demo(root: Path) -> None:
    """The files the guides work on, as a reader downloads them from the pages:
    docs/zh/examples/ (the bundled example as 香炉山街道2022.json, 计分示例.json and
    the folder of received forms 收到的自评表/, also as 收到的自评表.zip)."""
    for example in EXAMPLES.glob("*.json"):
        shutil.copy(example, root / example.name)
    shutil.copytree(EXAMPLES / INBOX, root / INBOX)


def write_samples(root: Path) -> None:
    """The folder of received forms, made afresh: 收到的自评表/ holds the example as an
    Excel form (the xlsx report of `perfrules score --example`), 某社区.xlsx (a line
    score and the total written wrong, a missing explanation; saved by LibreOffice when
    it is installed, as a finance office's spreadsheet program would), 某服务中心.json
    (weights summing to 95, a qualitative actual that names no tier) and 扫描件.xlsx
    (not a workbook at all)."""
    import openpyxl

    from perfrules.cli import main

    inbox = root / INBOX
    inbox.mkdir()
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["score", "--example", "--format", "xlsx",
                     "-o", str(inbox / "香炉山街道.xlsx")]) == 0
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "自评表"
    ws.append(["某社区2023年度部门整体绩效自评表"])
    ws.append(["一级指标", "二级指标", "三级指标", "计量单位", "指标性质", "指标值", "指标权重",
               "全年完成值", "指标得分", "偏差原因分析及改进措施"])
    for row in [
        ["产出指标", "数量指标", "开展入户走访次数", "次", "≥", 200, 20, 180, 20, ""],
        ["产出指标", "质量指标", "矛盾纠纷调解成功率", "%", "≥", 95, 15, 97, 15, ""],
        ["产出指标", "时效指标", "补助资金发放及时率", "%", "=", 100, 10, 100, 10, ""],
        ["产出指标", "成本指标", "社区办公经费支出", "万元", "≤", 30, 15, 32, 14.06,
         "新增网格员办公设备"],
        ["效益指标", "社会效益指标", "居民议事活动参与度", "", "定性", "有所提高", 20, "部分达成", 14,
         "部分活动受天气影响"],
        ["满意度指标", "服务对象满意度指标", "居民满意度", "%", "≥", 90, 10, 93, 10, ""],
        ["预算执行率", "", "全年预算执行率", "%", "", 100, 10, 92.5, 9.25, "年末部分采购未完成支付"],
    ]:
        ws.append(row)
    ws.append(["自评总分", "", "", "", "", "", 100, "", 92.31, ""])
    made = root / "openpyxl"
    made.mkdir()
    wb.save(made / "某社区.xlsx")
    _resave_with_libreoffice(made / "某社区.xlsx", inbox)
    form = {
        "title": "某服务中心2023年度部门整体绩效自评表",
        "organization": "某服务中心",
        "reported_total": "88.00",
        "indicators": [
            {"path": ["产出指标", "数量指标"], "name": "培训人次", "unit": "人次", "nature": "≥",
             "target": "500", "weight": "30", "actual": "520", "reported_score": "30"},
            {"path": ["产出指标", "质量指标"], "name": "培训合格率", "unit": "%", "nature": "≥",
             "target": "90", "weight": "25", "actual": "95", "reported_score": "25"},
            {"path": ["效益指标", "社会效益指标"], "name": "就业帮扶成效", "nature": "定性",
             "target": "明显提升", "weight": "20", "actual": "成效待观察", "reported_score": ""},
            {"path": ["满意度指标", "服务对象满意度指标"], "name": "学员满意度", "unit": "%",
             "nature": "≥", "target": "90", "weight": "10", "actual": "92", "reported_score": "10"},
            {"name": "全年预算执行率", "unit": "%", "target": "100", "weight": "10",
             "actual": "96", "reported_score": "9.6"},
        ],
    }
    (inbox / "某服务中心.json").write_text(json.dumps(form, ensure_ascii=False, indent=2), "utf-8")
    (inbox / "扫描件.xlsx").write_bytes(b"%PDF-1.4 a scan saved under the wrong name")




def _resave_with_libreoffice(path: Path, folder: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        shutil.copy(path, folder / path.name)
        return
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as profile:  # its own profile: never a running one's
        subprocess.run([soffice, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless",
                        "--convert-to", "xlsx", "--outdir", str(folder), str(path)],
                       check=True, capture_output=True, timeout=300)


def _cells(path: Path) -> list[list[object]]:
    import openpyxl

    wb = openpyxl.load_workbook(path)
    return [[None if c.value == "" else c.value for c in row]
            for ws in wb.worksheets for row in ws.iter_rows()]


def _zip_samples() -> None:
    import zipfile

    with zipfile.ZipFile(EXAMPLES / f"{INBOX}.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted((EXAMPLES / INBOX).iterdir()):
            info = zipfile.ZipInfo(f"{INBOX}/{path.name}", date_time=(2024, 1, 1, 0, 0, 0))
            zf.writestr(info, path.read_bytes(), zipfile.ZIP_DEFLATED)


def test_the_downloadable_samples_are_the_files_the_pages_run_on(tmp_path: Path) -> None:
    """docs/zh/examples/ holds what write_samples makes now (cell values for workbooks,
    bytes for the rest); the zip holds the folder; the bundled example is the package's."""
    pytest.importorskip("openpyxl")
    import zipfile

    bundled = perfrules.example_path().read_bytes()
    if UPDATE and (EXAMPLES / "香炉山街道2022.json").read_bytes() != bundled:
        (EXAMPLES / "香炉山街道2022.json").write_bytes(bundled)
    assert (EXAMPLES / "香炉山街道2022.json").read_bytes() == bundled
    write_samples(tmp_path)
    now = sorted(p.name for p in (tmp_path / INBOX).iterdir())
    assert sorted(p.name for p in (EXAMPLES / INBOX).iterdir()) == now
    for name in now:
        made, shown = tmp_path / INBOX / name, EXAMPLES / INBOX / name
        same = (_cells(shown) == _cells(made) if name.endswith(".xlsx")
                and made.read_bytes()[:2] == b"PK" else shown.read_bytes() == made.read_bytes())
        if UPDATE and not same:  # rewrite only what changed: a workbook's bytes vary by run
            shutil.copy(made, shown)
            _zip_samples()
        assert same or UPDATE, name
    with zipfile.ZipFile(EXAMPLES / f"{INBOX}.zip") as zf:
        assert sorted(zf.namelist()) == [f"{INBOX}/{n}" for n in now]
        for name in now:
            assert zf.read(f"{INBOX}/{name}") == (EXAMPLES / INBOX / name).read_bytes()


def test_every_sample_a_page_runs_on_is_downloadable_from_it(tmp_path: Path) -> None:
    """A file or folder a console command of a zh page names is {download}-linked there
    (a folder as its .zip)."""
    build_demo(tmp_path)
    for page in sorted((DOCS / "zh").glob("*.md")):
        text = page.read_text("utf-8")
        links = set(re.findall(r"\{download\}`[^`<]*<([^>]+)>`", text))
        used: set[str] = set()
        for command in re.findall(r"^\$ perfrules (.*)$", text, re.M):
            for arg in shlex.split(command):
                target = tmp_path / arg.rstrip("/")
                if arg.startswith("-") or not target.exists() or arg.rstrip("/") == "":
                    continue
                used.add(f"examples/{arg.rstrip('/')}" + (".zip" if target.is_dir() else ""))
        missing = sorted(used - links)
        assert not missing, f"{page.name} runs on {missing} but offers no {{download}} of it"
        for link in links:
            assert (page.parent / link).is_file(), (page.name, link)


def run_shown(command: str, last_code: int) -> tuple[str, int]:
    """Run one command a page shows, as a shell would; returns (output, exit code)."""
    from perfrules.cli import main

    argv = shlex.split(command)
    if argv == ["echo", "$?"]:
        return f"{last_code}\n", 0
    if argv[0] == "ls":
        return "".join(f"{p.name}\n" for p in sorted(Path(argv[1]).iterdir())), 0
    if argv[0] == "cat":
        return Path(argv[1]).read_text("utf-8-sig"), 0
    assert argv[0] == "perfrules", f"the docs may show perfrules, ls, cat and echo $? only: {command}"
    raw = io.BytesIO()  # the CLI writes reports to sys.stdout.buffer
    out = io.TextIOWrapper(raw, encoding="utf-8", write_through=True)
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            code = main(argv[1:])
        except SystemExit as exc:  # argparse: --help, --version, usage errors
            code = exc.code if isinstance(exc.code, int) else 0
    return raw.getvalue().decode("utf-8"), code


#: argparse formats --help differently from one Python to the next (3.10 renamed
#: "optional arguments", 3.13 names an option's metavar once): the pages show it
#: as this Python prints it, and only this Python checks it.
DOCS_PYTHON = (3, 11)


def checked_here(command: str) -> bool:
    return "--help" not in command.split() or sys.version_info[:2] == DOCS_PYTHON


def replay(text: str) -> str:
    """The page with every console block's outputs replaced by what the commands print now."""
    last = [0]  # the exit code of the page's previous command, for `echo $?`

    def block(match: re.Match[str]) -> str:
        lines = match.group(1).splitlines()
        out: list[str] = []
        i = 0
        while i < len(lines):
            line = lines[i]
            i += 1
            if not line.startswith("$ "):
                continue
            shown = []
            while i < len(lines) and not lines[i].startswith("$ "):
                shown.append(lines[i])
                i += 1
            out.append(line)
            if checked_here(line[2:]):
                printed, last[0] = run_shown(line[2:], last[0])
                out.extend(p.rstrip() for p in printed.rstrip("\n").splitlines())
            else:
                out.extend(shown)
                last[0] = 0
        return "```console\n" + "\n".join(out) + "\n```"

    return CONSOLE.sub(block, text)


PAGES = [*sorted(p for p in DOCS.rglob("*.md") if "_build" not in p.parts), DOCS.parent / "README.md"]
#: pages whose console blocks show commands run elsewhere than in build_demo's folder
UNCHECKED = {"reading-forms.md", "file-formats.md", "security.md", "scale.md", "plugin-guide.md"}
PAGES_WITH_CONSOLE = [p for p in PAGES if p.name not in UNCHECKED
                      and CONSOLE.search(p.read_text("utf-8"))]


@pytest.mark.parametrize("page", PAGES_WITH_CONSOLE,
                         ids=[str(p.relative_to(DOCS.parent)) for p in PAGES_WITH_CONSOLE])
def test_shown_commands_print_what_the_page_shows(page: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("openpyxl")
    monkeypatch.setenv("PERFRULES_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.setenv("COLUMNS", "88")  # argparse wraps --help to the terminal's width
    # the language when a command gives no --lang: Chinese, whatever this machine's locale
    monkeypatch.setenv("PERFRULES_LANG", "zh")
    monkeypatch.setattr(_registry, "_default", None)
    build_demo(tmp_path)
    monkeypatch.chdir(tmp_path)
    text = page.read_text("utf-8")
    now = replay(text)
    if UPDATE:
        if now != text:
            page.write_text(now, "utf-8")
        return
    if now != text:
        diff = "".join(difflib.unified_diff(text.splitlines(keepends=True),
                                            now.splitlines(keepends=True),
                                            fromfile=f"{page.name} (shows)", tofile="prints now", n=1))
        pytest.fail(f"{page.name} shows output the commands no longer print; if the change is "
                    "meant, rewrite it with PERFRULES_UPDATE_SNAPSHOT=1\n" + diff[:6000],
                    pytrace=False)


def test_there_are_checked_commands_in_the_chinese_guide() -> None:
    assert [p for p in PAGES_WITH_CONSOLE if p.parent.name == "zh"], "no ```console block in docs/zh"


# -- tables generated from the ruleset data -------------------------------------------
#
# A table between `% generated: KIND RULESET [WEIGHT …]` and `% end generated` (MyST
# comments, not shown) is made from the ruleset's data: `tiers` the bands (as a share of
# the weight, and in points for each WEIGHT) and the default without a judged score,
# `words` the tier words. PERFRULES_UPDATE_SNAPSHOT=1 rewrites them.

GENERATED = re.compile(r"^% generated: ([^\n]+)\n(.*?)^% end generated$", re.S | re.M)


def _pct(share: Decimal) -> str:
    text = f"{(share * 100).normalize():f}"
    return "0" if text == "0" else f"{text}%"


def _pts(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _band(lower: str, upper: str, upper_inclusive: bool, unit: str) -> str:
    if upper_inclusive:
        return f"{lower}～{upper}{unit}（含两端）" if lower != "0" else f"0～{upper}{unit}（含两端）"
    if lower == "0" or lower == "0%":
        return f"0～{upper}{unit}（不含 {upper}）"
    return f"{lower}～{upper}{unit}（含 {lower}，不含 {upper}）"


def generated_table(spec: str, registry: perfrules.Registry) -> str:
    kind, ruleset_id, *weights = spec.split()
    ruleset = registry.ruleset(ruleset_id)
    if kind == "words":
        rows = ["| 档次 | `" + ruleset_id + "` 认可的用语 |", "|---|---|"]
        rows += [f"| {t.name} | {'、'.join(t.words)} |" for t in ruleset.tiers]
        return "\n".join(rows)
    assert kind == "tiers", spec
    head = ["档次", "分值区间（占权重）", *(f"权重 {w} 分时" for w in weights), "未填评定得分时"]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for t in ruleset.tiers:
        cells = [t.name, _band(_pct(t.lower), _pct(t.upper), t.upper_inclusive, "")]
        for w in weights:
            cells.append(_band(_pts(t.lower * Decimal(w)), _pts(t.upper * Decimal(w)),
                               t.upper_inclusive, " 分"))
        cells.append("满分" if t.default == 1 else "0 分" if t.default == 0
                     else f"权重的 {_pct(t.default)}，报告注明“默认值”")
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


@pytest.mark.parametrize("page", sorted(p for p in DOCS.rglob("*.md") if "_build" not in p.parts
                                        and "% generated:" in p.read_text("utf-8")),
                         ids=lambda p: p.name)
def test_generated_tables_are_the_ruleset_data(page: Path, registry: perfrules.Registry) -> None:
    text = page.read_text("utf-8")
    now = GENERATED.sub(lambda m: f"% generated: {m.group(1)}\n"
                        f"{generated_table(m.group(1), registry)}\n% end generated", text)
    if UPDATE and now != text:
        page.write_text(now, "utf-8")
        return
    assert now == text, f"{page.name}: a generated table differs from the ruleset data; " \
                        "rewrite it with PERFRULES_UPDATE_SNAPSHOT=1"


def test_the_tier_table_shows_bands_not_words(registry: perfrules.Registry) -> None:
    table = generated_table("tiers cn-mof-2020 10 4.5", registry)
    assert "| 达成 | 80%～100%（含两端） | 8～10 分（含两端） | 3.6～4.5 分（含两端） | 满分 |" in table
    assert "| 部分达成 | 60%～80%（含 60%，不含 80%） | 6～8 分（含 6，不含 8） |" in table
    assert "| 未达成 | 0～60%（不含 60%） | 0～6 分（不含 6） | 0～2.7 分（不含 2.7） | 0 分 |" in table


# -- README ------------------------------------------------------------------------

README = DOCS.parent / "README.md"


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"^```{lang}\n(.*?)^```$", README.read_text("utf-8"), re.S | re.M)


def test_readme_json_form_scores_as_written(registry: perfrules.Registry) -> None:
    (block,) = _blocks("json")
    form = perfrules.Form.from_dict(json.loads(block, parse_float=Decimal))
    assert sum(ind.weight for ind in form.indicators) == 100
    report = perfrules.score(form, registry=registry)
    assert report.total == form.reported_total
    lines = {line.name: line.points for line in report.lines}
    assert all(ind.reported_score is None or lines[ind.name] == ind.reported_score
               for ind in form.indicators)


def test_readme_python_prints_what_its_comments_say() -> None:
    (block,) = _blocks("python")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(block, "README.md", "exec"), {})
    printed = out.getvalue().splitlines()
    said = re.findall(r"print\(.*\)\s+# (.*)$", block, re.M)
    assert said and len(said) == len(printed)
    for comment, line in zip(said, printed):
        assert line.startswith(comment.rstrip(" …")), (comment, line)


def test_no_page_cites_a_document_that_is_not_in_the_repository() -> None:
    # pages of other issues are their owners' to fix (listed in the issue 11 report)
    for page in PAGES:
        if page.name not in UNCHECKED:
            assert "DESIGN" not in page.read_text("utf-8"), page


def test_no_page_tells_users_to_copy_the_test_suite() -> None:
    for page in PAGES:
        text = page.read_text("utf-8")
        assert "tests/cases/*.json" not in text, page


# -- the Chinese guide covers every code and every tier word ------------------------------


def test_every_problem_and_finding_code_is_explained_in_chinese() -> None:
    from tests.test_api_snapshot import finding_codes, problem_codes

    text = (DOCS / "zh" / "errors.md").read_text("utf-8")
    missing = sorted(c for c in problem_codes() | finding_codes() if f"`{c}`" not in text)
    assert not missing, f"codes not explained in docs/zh/errors.md: {missing}"


def test_every_finding_code_is_in_the_audit_reference() -> None:
    from tests.test_api_snapshot import finding_codes

    text = (DOCS / "audit.md").read_text("utf-8")
    assert not sorted(c for c in finding_codes() if f"`{c}`" not in text)


def test_every_tier_word_is_in_the_chinese_guide(registry: perfrules.Registry) -> None:
    text = (DOCS / "zh" / "qualitative.md").read_text("utf-8")
    text = text[text.index("| 档次 | `cn-mof-2020` 认可的用语 |"):]
    ruleset = registry.ruleset("cn-mof-2020")
    for tier in ruleset.tiers:
        row = next(line for line in text.splitlines() if line.startswith(f"| {tier.name} | "))
        listed = row.split("|")[2].strip().split("、")
        assert listed == list(tier.words), tier.name
