"""The command line's words in both languages: one catalogue for ``score``,
``audit``, their reports and errors, and the help.

``text(id, lang, **values)`` fills a message; ``choose_lang`` decides the
language before the parser is built (``--lang``, else ``PERFRULES_LANG``, else
the locale, else Chinese). Problems (:class:`~perfrules.exceptions.Problem`)
carry English messages; in Chinese a problem is named by its code's sentence
head (:data:`PROBLEM_ZH`) with the English detail kept beside it, so that the
cell, the value and what would be valid are never lost.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Optional

from .exceptions import Problem

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"

#: Problem codes as Chinese sentence heads (``perfrules.plugin.problem_zh``).
PROBLEM_ZH: dict[str, str] = {
    "not-a-number": "不是数值", "missing-value": "为空", "bad-number": "不是有效数值",
    "unknown-nature": "指标性质无法识别", "missing-nature": "指标性质为空",
    "missing-weight": "权重为空", "negative-weight": "权重为负数",
    "negative-target": "指标值为负数，不能按比例计分", "unit-mismatch": "单元格单位与计量单位不一致",
    "unknown-field": "未知字段", "cell-error": "单元格显示错误值", "ambiguous-rate": "执行率缺少 %，含义不明",
    "formula-without-value": "公式没有保存的计算结果（请用 Excel 或 WPS 打开并保存该文件）",
    "negative-rate": "执行率为负数", "bad-budget": "全年预算数应大于 0", "bad-executed": "全年执行数为负数",
    "unknown-rule": "未知计分规则", "empty-group": "一级指标下没有三级指标",
    "nothing-applicable": "没有适用的指标", "bad-year": "年度无效",
    # files that cannot be opened
    "unreadable": "文件无法读取", "empty-file": "文件是空的",
    "corrupt-file": "文件已损坏，或不是其扩展名所示的格式",
    "encrypted-or-old": "文件设置了打开密码，或是改了扩展名的旧版文件",
    "not-xls": "不是旧版 Excel 文件", "no-text-layer": "PDF 没有可读取的文字（扫描件）",
    "bad-encoding": "文件不是 UTF-8 编码", "bad-csv": "CSV 格式有误",
    "bad-json": "JSON 语法有误", "bad-toml": "TOML 语法有误", "bad-yaml": "YAML 语法有误",
    "bad-text": "文件中含有无效字符", "file-too-large": "文件超过大小上限",
    "limit-exceeded": "超过安全上限", "bad-setting": "上限设置不是正整数",
    "unknown-format": "无法识别的文件类型", "several-forms": "一个文件中有多张自评表",
    # no table of indicators
    "no-table": "文档中没有表格", "missing-column": "缺少必需的列",
    "no-indicators": "表头下没有指标行", "not-a-form": "文件中没有指标列表",
    "not-an-indicator": "指标不是“字段: 值”的形式", "bad-group": "groups 的写法有误",
    "bad-skipped": "skipped 的写法有误", "bad-applicable": "applicable 不是 true 或 false",
    "bad-path": "指标的 path 不是名称列表", "bad-ruleset": "ruleset 不是规则集编号",
    # cells that cannot be scored
    "no-name": "指标没有名称", "nature-conflict": "指标性质与指标值中的符号互相矛盾",
    "weight-out-of-range": "权重超出合理范围", "number-out-of-range": "数值大得无法计算",
    "no-rate-rule": "规则集没有为预算执行率指定计分规则",
    # weights and qualitative lines
    "weights-sum": "权重合计不等于 100", "group-weights-sum": "一级指标下的权重之和不等于其分值",
    "not-a-tier": "定性指标的完成情况为空或是数字", "unknown-tier": "完成情况不是规定的档次用语",
    "judged-out-of-band": "评定得分不在所属档次的区间内",
    # "input" (a problem given as plain text) has no head: its message is the whole of it
}

# Each message: id -> {"zh": …, "en": …}, filled by str.format.
MESSAGES: dict[str, dict[str, str]] = {
    # -- errors -------------------------------------------------------------------------
    "error": {"zh": "{prog}：错误：{message}", "en": "{prog}: error: {message}"},
    "interrupted": {"zh": "perfrules：已中断", "en": "perfrules: interrupted"},
    "internal-error": {
        "zh": "perfrules：内部错误：{kind}：{detail}；这是 perfrules 或插件的缺陷，请报告",
        "en": "perfrules: internal error: {kind}: {detail}; this is a bug in perfrules or a "
              "plugin: please report it"},
    "cannot-write": {"zh": "无法写入 {where}：{reason}", "en": "cannot write {where}: {reason}"},
    "cannot-write-stream": {"zh": "无法写出：{reason}", "en": "cannot write: {reason}"},
    "problems": {"zh": "{where}：{count} 个问题，未计分：",
                 "en": "{where}: {count} problem{s}; not scored:"},
    "not-scored": {"zh": "{where}：未计分：{message}", "en": "{where}: not scored: {message}"},
    "problem-count": {"zh": "{count} 个问题：", "en": "{count} problems:"},
    "writer-failed": {"zh": "输出格式 {name} 出错：{kind}：{detail}",
                      "en": "the writer {name!r} failed: {kind}: {detail}"},
    "convert-suffix": {"zh": "无法转换为 {suffix}（可用：.json、.toml、.yaml）",
                       "en": "cannot convert to {suffix} (valid: .json, .toml, .yaml)"},
    "no-suffix": {"zh": "没有扩展名的文件", "en": "a file without extension"},
    "score-needs-form": {"zh": "score 需要至少一个表单文件（FORM），或 --example",
                         "en": "score needs at least one FORM, or --example"},
    "binary-format": {"zh": "--format {format} 写出的是二进制文件：请用 -o OUT 指定输出文件",
                      "en": "--format {format} writes a binary file: give -o OUT"},
    "output-is-folder": {"zh": "-o {output} 是文件夹；请给出文件名，或以 / 结尾，每张表写一个文件",
                         "en": "-o {output} is a folder; give a file name, or end it with / to "
                               "write one file per form into it"},
    "output-is-folder-plain": {"zh": "-o {output} 是文件夹；请给出文件名",
                               "en": "-o {output} is a folder; give a file name"},
    "overwrites-input": {"zh": "-o {output} 会覆盖输入文件 {input}；输入文件从不覆盖，请另选输出",
                         "en": "-o {output} would overwrite the input {input}; input files are "
                               "never overwritten: choose another output"},
    "jobs": {"zh": "--jobs 至少为 1", "en": "--jobs must be at least 1"},
    "timeout": {"zh": "--timeout 应为 0（不限时）或正的秒数",
                "en": "--timeout must be 0 (no limit) or more seconds"},
    "xlsx-needs-folder": {"zh": "--format xlsx 把批注副本写入文件夹：请用 -o DIR/",
                          "en": "--format xlsx writes annotated copies into a folder: give -o DIR/"},
    "not-a-folder": {"zh": "-o {output}：已存在，且不是文件夹",
                     "en": "-o {output}: exists and is not a folder"},
    "no-forms": {"zh": "在 {inputs} 中没有找到表单", "en": "no forms found in {inputs}"},
    "positive": {"zh": "{value} 不是正整数", "en": "{value} is not a positive whole number"},
    # -- a file the audit cannot read --------------------------------------------------
    "fifo": {"zh": "命名管道（FIFO）", "en": "a named pipe (FIFO)"},
    "socket": {"zh": "套接字", "en": "a socket"},
    "device": {"zh": "设备", "en": "a device"},
    "not-regular": {"zh": "不是普通文件", "en": "not a regular file"},
    "not-a-file": {"zh": "{kind}，不是文件；perfrules 只读取普通文件",
                   "en": "{kind}, not a file; perfrules reads only regular files"},
    "cannot-list": {"zh": "无法列出文件夹内容：{reason}",
                    "en": "cannot list the folder: {reason}"},
    "link-outside": {"zh": "指向文件夹以外的链接，未跟随（用 --follow-symlinks 跟随这类链接）",
                     "en": "a link to a place outside the folder; not followed (use "
                           "--follow-symlinks to follow such links)"},
    "too-deep": {"zh": "文件嵌套过深，无法读取", "en": "the file nests too deeply to be read"},
    "no-memory": {"zh": "读取该文件所需内存超过可用内存",
                  "en": "the file needs more memory than is available"},
    "cannot-read": {"zh": "无法读取该文件：{reason}", "en": "cannot read the file: {reason}"},
    "bug": {"zh": "perfrules 无法处理该文件（{kind}{detail}）；这是 perfrules 或插件的缺陷，请报告",
            "en": "perfrules could not process this file ({kind}{detail}); this is a bug in "
                  "perfrules or a plugin: please report it"},
    "worker-stopped": {
        "zh": "读取该文件的工作进程已停止{code}：该文件可能需要更多内存，或插件结束了进程",
        "en": "the worker process reading this file stopped{code}: the file may need more memory "
              "than is available, or a plugin ended the process"},
    "exit-code": {"zh": "（退出码 {code}）", "en": " (exit code {code})"},
    "took-too-long": {
        "zh": "读取和审核该文件超过 {timeout} 秒的时限，未审核（可用 --timeout SECONDS 调高时限，"
              "0 为不限时）",
        "en": "reading and auditing the file took longer than {timeout} seconds, the limit; not "
              "audited (raise the limit with --timeout SECONDS, or 0 for none)"},
    # -- problems -----------------------------------------------------------------------
    "indicator": {"zh": "指标“{name}”", "en": "indicator {name!r}"},
    "field": {"zh": "字段 {field}", "en": "field {field!r}"},
    "got": {"zh": "实为 {value!r}", "en": "got {value!r}"},
    "valid": {"zh": "应为：{expected}", "en": "valid: {expected}"},
    # -- text reports -------------------------------------------------------------------
    "report-head": {"zh": "指标|性质|指标值|完成值|权重|得分|达成",
                    "en": "indicator|nature|target|actual|weight|score|met"},
    "not-applicable": {"zh": "不适用", "en": ""},
    "report-total": {"zh": "总分 {total}  等级 {grade}  规则集 {ruleset}（{citation}）",
                     "en": "total {total}  grade {grade}  ruleset {ruleset} ({citation})"},
    "rows-not-read": {"zh": "未读入的行（{count}）：", "en": "rows not read ({count}):"},
    "rows-not-read-note": {"zh": "注意：表内有 {count} 行未读入（--explain 列出）",
                           "en": "note: {count} rows of the table were not read (--explain lists "
                                 "them)"},
    "reported-total": {"zh": "注意：表内自评总分为 {total}",
                       "en": "note: the form reports a total of {total}"},
    # -- audit text ---------------------------------------------------------------------
    "unreadable": {"zh": "无法读取", "en": "unreadable"},
    "form": {"zh": "表单", "en": "form"},
    "audit-form": {"zh": "{name}: 表内总分 {reported}  重算总分 {total}  {grade}  错误 {error}  "
                         "警告 {warning}  提示 {info}",
                   "en": "{name}: reported {reported}  recomputed {total}  {grade}  errors "
                         "{error}  warnings {warning}  infos {info}"},
    "audit-head": {"zh": "文件|表内总分|重算总分|等级|错误|警告|提示",
                   "en": "file|reported|recomputed|grade|errors|warnings|infos"},
    "citation": {"zh": "（{citation}）", "en": " ({citation})"},
    "sev-error": {"zh": "错误", "en": "error"},
    "sev-warning": {"zh": "警告", "en": "warning"},
    "sev-info": {"zh": "提示", "en": "info"},
    # -- help ---------------------------------------------------------------------------
    "usage": {"zh": "用法：", "en": "usage: "},
    "positionals": {"zh": "位置参数", "en": "positional arguments"},
    "options": {"zh": "选项", "en": "options"},
    "h-help": {"zh": "显示本帮助并退出", "en": "show this help message and exit"},
    "h-version": {"zh": "显示版本号并退出", "en": "show program's version number and exit"},
    "h-description": {
        "zh": "为绩效自评表计分、说明计分过程并审核。",
        "en": "Score, explain and check Chinese budget performance self-evaluation forms "
              "(绩效自评表)."},
    "h-lang": {"zh": "输出语言：zh（中文）或 en（英文），包括帮助、报告、说明和错误信息"
                     "（默认：环境变量 PERFRULES_LANG，否则按系统区域设置，否则 zh）",
               "en": "language of help, reports, explanations and errors: zh or en (default: "
                     "PERFRULES_LANG, else the locale, else zh)"},
    "h-plugins": {"zh": "只加载这些已安装的插件（入口点或发行包名称，同环境变量 "
                        "PERFRULES_PLUGINS）；'' 表示只用内置插件",
                  "en": "load only these installed plugins (entry-point or distribution names; "
                        "the same as PERFRULES_PLUGINS); '' loads none but the built-ins"},
    "h-score": {"zh": "为表单计分并输出报告", "en": "score forms and print the report"},
    "h-forms": {"zh": "表单文件（.json、.toml、.yaml 等）",
                "en": "form files (.json, .toml, .yaml …)"},
    "h-example": {"zh": "为内置的示例表计分", "en": "score the bundled example form"},
    "h-ruleset": {"zh": "规则集编号，或用 编号@版本 固定版本（默认：表内指定的，否则 --year/--region "
                        "对应的现行规则集，否则 cn-mof-2020）；见 `perfrules rulesets`",
                  "en": "ruleset id, or id@version to pin one (default: the form's, else the one "
                        "in force for --year/--region, else cn-mof-2020); see `perfrules "
                        "rulesets`"},
    "h-format": {"zh": "报告格式：text（默认）、json、markdown、html、xlsx，或已注册的其他格式",
                 "en": "report format: text (default), json, markdown, html, xlsx, or any "
                       "registered writer"},
    "h-from": {"zh": "用这种格式读取表单，而不是按扩展名选择",
               "en": "read the forms with this reader instead of choosing by extension"},
    "h-explain": {"zh": "说明每一行的计分过程（text 格式）",
                  "en": "explain every line (text format)"},
    "h-output": {"zh": "把报告写入 OUT 而不是标准输出；多张表时，html、xlsx 等单表格式每张表写 "
                       "OUT-<表>.ext；以 / 结尾的文件夹每张表一个文件",
                 "en": "write the report to OUT, not stdout; with several forms, OUT-<form>.ext "
                       "per form for html, xlsx and other one-form formats; a folder ending in / "
                       "gets one file per form"},
    "h-audit": {"zh": "重算已填报的表单，列出问题",
                "en": "recompute filled-in forms and list what is wrong"},
    "h-inputs": {"zh": "表单文件，或要在其中查找表单的文件夹",
                 "en": "forms, or folders to search for forms"},
    "h-audit-ruleset": {"zh": "规则集编号（默认：各表指定的，否则 cn-mof-2020）",
                        "en": "ruleset id (default: each form's, else cn-mof-2020)"},
    "h-audit-format": {"zh": "text（默认）、json、markdown、html（所有表一页）或 xlsx（Excel "
                             "表的批注副本，需要 -o DIR）",
                       "en": "text (default), json, markdown, html (one page for all forms), or "
                             "xlsx (annotated copies of Excel forms; needs -o DIR)"},
    "h-audit-output": {"zh": "所选格式的输出文件；或文件夹（已存在，或以 / 结尾），写入 "
                             "summary.csv、summary.json、audit.html 和批注副本",
                       "en": "a file for the chosen format; or a folder (existing, or ending in "
                             "/) for summary.csv, summary.json, audit.html and annotated copies"},
    "h-fail-on": {"zh": "有问题达到此级别时退出码为 1（默认：error）",
                  "en": "exit 1 when a finding is at least this severe (default: error)"},
    "h-jobs": {"zh": "用 N 个进程同时审核（默认：本进程可用的 CPU 核数）",
               "en": "audit N files at a time in separate processes (default: the CPU cores "
                     "this process may use)"},
    "h-timeout": {"zh": "在工作进程中读取并审核一个文件的最长时间，超时的文件记为未审核"
                        "（默认：60；0：不限时，且 --jobs 1 时不用工作进程）",
                  "en": "the most time one file may take to be read and audited, in a worker "
                        "process; a file that takes longer is reported as not audited (default: "
                        "60; 0: no limit, and no worker with --jobs 1)"},
    "h-follow": {"zh": "跟随指向所查找文件夹以外的链接",
                 "en": "follow links that lead out of the folders searched for forms"},
    "h-reader": {"zh": "使用的读取格式", "en": "reader to use"},
    "h-convert": {"zh": "把表单转换为标准的 JSON、TOML 或 YAML",
                  "en": "convert a form to the canonical JSON, TOML or YAML"},
    "h-convert-output": {"zh": "form.json、form.toml 或 form.yaml（按扩展名选择）",
                         "en": "form.json, form.toml or form.yaml (the extension chooses)"},
    "h-schema": {"zh": "输出报告或表单的 JSON Schema",
                 "en": "print the JSON Schema of the report or the form"},
    "h-test": {"zh": "运行标准案例文件（输入表单，核对预期得分）",
               "en": "run golden case files (form in, expected scores out)"},
    "h-cases": {"zh": "案例文件，或存放案例的文件夹", "en": "case files, or folders of them"},
    "h-rules": {"zh": "列出计分规则", "en": "list the scoring rules"},
    "h-rulesets": {"zh": "列出规则集", "en": "list the rulesets"},
    "h-plugins-cmd": {"zh": "列出已加载的插件", "en": "list the loaded plugins"},
    "h-year": {"zh": "使用该年度现行的规则集（可与 --region 同用）",
               "en": "use the ruleset in force in this year (with --region)"},
    "h-region": {"zh": "使用该地区的规则集，如 CN-HB（湖北）；没有时用全国的（CN）",
                 "en": "use the ruleset of this region, such as CN-HB (湖北); falls back to the "
                       "national one (CN)"},
    "h-max-cells": {"zh": "一个文件最多可含的单元格（值）数，超过即拒绝读取；同环境变量 "
                          "PERFRULES_MAX_CELLS（默认：200000）",
                    "en": "the most cells (values) one file may hold before it is refused; the "
                          "same as the environment variable PERFRULES_MAX_CELLS (default: "
                          "200000)"},
    # -- batch audit (the batch engine and its outputs) ---------------------------------
    "status-none": {"zh": "无问题", "en": "no issues"},
    "status-info": {"zh": "有提示", "en": "notes"},
    "status-warning": {"zh": "有警告", "en": "warnings"},
    "status-error": {"zh": "有错误", "en": "errors"},
    "status-unreadable": {"zh": "无法读取", "en": "unreadable"},
    "csv-head": {"zh": "文件|标题|表内总分|重算总分|等级|错误|警告|提示|状态|说明|表单",
                 "en": "file|title|reported_total|total|grade|errors|warnings|infos|status|"
                       "message|form"},
    "audit-interrupted-note": {
        "zh": "审核被中断：本报告只含中断前已审核的表单",
        "en": "the audit was interrupted: this report holds only the forms audited before"},
    "audit-interrupted": {
        "zh": "perfrules：审核被信号 {signal} 中断；已审核的 {done} 份表单已写出，其余 {left} 份未审核",
        "en": "perfrules: the audit was interrupted by {signal}; the {done} forms audited were "
              "written, the other {left} were not audited"},
    "progress-unit": {"zh": "表", "en": "forms"},
}

#: argparse's own error messages, in Chinese.
_ARGPARSE_ZH = [
    (re.compile(r"the following arguments are required: (.*)"), "缺少必需的参数：{0}"),
    (re.compile(r"unrecognized arguments: (.*)"), "无法识别的参数：{0}"),
    (re.compile(r"argument (\S+): invalid choice: (.*?) \(choose from (.*)\)"),
     "参数 {0}：无效的取值 {1}（可选：{2}）"),
    (re.compile(r"argument (\S+): expected one argument"), "参数 {0}：需要一个值"),
    (re.compile(r"argument (\S+): invalid (\S+) value: (.*)"), "参数 {0}：无效的 {1} 值：{2}"),
    (re.compile(r"argument (\S+): (.*) is not a positive whole number"), "参数 {0}：{1} 不是正整数"),
    (re.compile(r"argument (\S+): ignored explicit argument (.*)"), "参数 {0}：多余的值 {1}"),
]


def text(message_id: str, lang: str, **values: object) -> str:
    """The message ``message_id`` in ``lang``, filled with ``values``."""
    entry = MESSAGES[message_id]
    return entry.get(lang, entry["en"]).format(**values)


def words(message_id: str, lang: str) -> list[str]:
    """A ``|``-separated message as a list (table headers)."""
    return text(message_id, lang).split("|")


def argparse_message(message: str, lang: str) -> str:
    """An argparse error message in ``lang`` (argparse itself speaks English)."""
    if lang == "zh":
        for pattern, template in _ARGPARSE_ZH:
            match = pattern.fullmatch(message)
            if match:
                return template.format(*match.groups())
    return message


def env_lang(environ: Mapping[str, str]) -> str:
    """``PERFRULES_LANG``, else the locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``:
    the first that is set decides; ``zh…`` is zh, ``en…`` en), else zh."""
    chosen = environ.get("PERFRULES_LANG", "").strip().lower()
    if chosen in LANGS:
        return chosen
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "").strip().lower()
        if value:
            return value[:2] if value[:2] in LANGS else DEFAULT_LANG
    return DEFAULT_LANG


def choose_lang(argv: Sequence[str], environ: Mapping[str, str]) -> str:
    """The language of a run, before the parser exists: the last valid
    ``--lang X`` (or ``--lang=X``) of ``argv``, else :func:`env_lang`."""
    chosen: Optional[str] = None
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        value = argv[i + 1] if arg == "--lang" and i + 1 < len(argv) else (
            arg[len("--lang="):] if arg.startswith("--lang=") else None)
        if value in LANGS:
            chosen = value
    return chosen or env_lang(environ)


def without_source(text: str, path: str) -> str:
    """A message without the file name the line already shows.

    ``a.json: a.json, field 'x': …`` becomes ``field 'x': …``; a place inside
    the file stays: ``a.xlsx#自评表: …`` becomes ``#自评表: …``, and a CSV cell
    ``a.csv!I16`` becomes ``I16``.
    """
    while True:
        head, sep, rest = text.partition(": ")
        if sep and rest.startswith(head + ": "):
            text = rest  # the same place named twice
            continue
        if path and (text.startswith(path + ": ") or text.startswith(path + ", ")):
            text = text[len(path) + 2:]
            continue
        if path and text.startswith(path) and text[len(path):len(path) + 1] in ("#", "!"):
            # a cell of a CSV file (form.csv!I16) is I16 once the file is named
            text = text[len(path) + (text[len(path)] == "!"):]
        return text


def problem_text(problem: Problem, lang: str, source: str = "") -> str:
    """One problem as one line in ``lang``, its cell first, without ``source``
    (the file the line is already about).

    In Chinese the code's sentence head leads, and the English detail follows
    in brackets; the value as written and what would be valid are kept in
    both languages.
    """
    where = []
    location = without_source(problem.location or "", source) if source else problem.location
    if location and location != source:
        where.append(location)
    if problem.indicator is not None:
        where.append(text("indicator", lang, name=problem.indicator))
    if problem.field:
        where.append(text("field", lang, field=problem.field))
    extra = []
    if problem.value is not None and repr(problem.value) not in problem.message:
        extra.append(text("got", lang, value=problem.value))
    if problem.expected:
        extra.append(text("valid", lang, expected=problem.expected))
    if lang == "zh":
        head = PROBLEM_ZH.get(problem.code)
        if head is not None:
            extra.insert(0, problem.message)
        else:
            head = problem.message
        line = f"{'，'.join(where)}：{head}" if where else head
        return f"{line}（{'；'.join(extra)}）" if extra else line
    line = f"{', '.join(where)}: {problem.message}" if where else problem.message
    return f"{line} ({'; '.join(extra)})" if extra else line
