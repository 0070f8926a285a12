"""perfrules' words in both languages: one catalogue for the command line,
its reports, errors and help, and for every built-in problem.

``text(id, lang, **values)`` fills a message; ``choose_lang`` decides the
language before the parser is built (``--lang``, else ``PERFRULES_LANG``, else
the locale, else Chinese). Problems (:class:`~perfrules.exceptions.Problem`)
carry their English ``message`` and ``expected`` (the JSON formats keep them);
:func:`problem_message` and :func:`expected_text` give them in either language
from :data:`PROBLEM_MESSAGES` and :data:`EXPECTED_MESSAGES`, so that one run
speaks one language. A message the catalogue does not know (a plugin's own
problem) is shown as written.
"""

from __future__ import annotations

import functools
import re
import string
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
PROBLEM_ZH.update({  # issue 15: wrong types and hostile sizes
    "bad-type": "字段的类型有误", "duplicate-part": "压缩包中有同名部件，无法确定读哪一个",
})

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
    "unknown-ruleset": {"zh": "未知规则集 {ruleset}（可用：{known}）",
                        "en": "unknown ruleset {ruleset} (valid: {known})"},
    "none-registered": {"zh": "没有已注册的规则集", "en": "none registered"},
    "missing-extra": {"zh": "{what}需要可选依赖：pip install \"perfrules[{extra}]\"",
                      "en": "{what} needs an optional dependency: pip install \"perfrules[{extra}]\""},
    "warning": {"zh": "perfrules：警告：{message}", "en": "perfrules: warning: {message}"},
    # -- rules, rulesets, plugins, test ---------------------------------------------------
    "ruleset-line": {"zh": "{ref}  施行 {dates}{region}{extends}",
                     "en": "{ref}  in force {dates}{region}{extends}"},
    "ruleset-region": {"zh": "  地区 {region}", "en": "  region {region}"},
    "ruleset-extends": {"zh": "  继承 {extends}", "en": "  extends {extends}"},
    "ruleset-dates": {"zh": "{start} 至 {end}", "en": "{start} – {end}"},
    "case-pass": {"zh": "通过 {path}{description}", "en": "PASS {path}{description}"},
    "case-fail": {"zh": "未通过 {path}", "en": "FAIL {path}"},
    "case-summary": {"zh": "{passed} 个通过，{failed} 个未通过", "en": "{passed} passed, {failed} failed"},
    "case-invalid": {"zh": "不是有效的案例文件：{kind}：{detail}",
                     "en": "not a valid case file: {kind}: {detail}"},
    "case-problems": {"zh": "问题为 {got}，预期 {expected}", "en": "problems {got}, expected {expected}"},
    "case-no-location": {"zh": "问题没有位置：{problem}", "en": "problem without a location: {problem}"},
    "case-scored": {"zh": "已计分，预期应报问题 {expected}",
                    "en": "scored, expected the problems {expected}"},
    "case-not-scored": {"zh": "未计分：{message}", "en": "not scored: {message}"},
    "case-total": {"zh": "总分 {got}，预期 {expected}", "en": "total {got}, expected {expected}"},
    "case-grade": {"zh": "等级 {got}，预期 {expected}", "en": "grade {got}, expected {expected}"},
    "case-no-indicator": {"zh": "没有指标 {name}", "en": "no indicator {name}"},
    "case-not-applicable": {"zh": "{name}：得分 {got}，预期不适用",
                            "en": "{name}: scored {got}, expected not applicable"},
    "case-points": {"zh": "{name}：{got}，预期 {expected}（{explanation}）",
                    "en": "{name}: {got}, expected {expected} ({explanation})"},
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
    "got": {"zh": "实为 {value}", "en": "got {value}"},
    "valid": {"zh": "应为：{expected}", "en": "valid: {expected}"},
    # -- text reports -------------------------------------------------------------------
    "report-head": {"zh": "指标|性质|年度指标值|实际完成值|分值|得分|达成",
                    "en": "indicator|nature|target|actual|weight|score|met"},
    "not-applicable": {"zh": "不适用", "en": ""},
    # the column headers of the reports: the terms of the form (财预〔2020〕10号 附件)
    "table-head": {"zh": "指标|性质|年度指标值|实际完成值|分值|得分|结果|{explanation}|"
                         "偏差原因分析及改进措施",
                   "en": "Indicator|Nature|Target|Actual|Weight|Score|Result|{explanation}|"
                         "Reasons for deviation and improvements"},
    "md-explanation": {"zh": "说明", "en": "Explanation"},
    "html-explanation": {"zh": "计算说明", "en": "How it was scored"},
    "xlsx-head": {"zh": "一级指标|二级指标|三级指标|计量单位|指标性质|年度指标值|实际完成值|分值|得分|"
                        "表内得分|偏差原因分析及改进措施|计算说明",
                  "en": "Level 1|Level 2|Indicator|Unit|Nature|Target|Actual|Weight|Score|"
                        "Reported score|Reasons for deviation and improvements|How it was scored"},
    "xlsx-project-name": {"zh": "项目名称", "en": "Project"},
    "xlsx-unit-name": {"zh": "单位名称", "en": "Unit"},
    "xlsx-meta": {"zh": "主管部门|自评总分（分）|等级", "en": "Department|Total|Grade"},
    "xlsx-fund-head": {"zh": "项目资金（万元）|全年预算数|全年执行数|分值|执行率|得分",
                       "en": "Funds (10,000 yuan)|Budget|Executed|Weight|Execution rate|Score"},
    "xlsx-fund-total": {"zh": "年度资金总额", "en": "Total funds of the year"},
    "xlsx-total": {"zh": "总分", "en": "Total"},
    "xlsx-form": {"zh": "绩效自评表", "en": "Performance self-evaluation form"},
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

# -- problems: every built-in problem's message and what would be valid, in both languages --
#
# A Problem keeps its code, its English ``message`` and ``expected`` (the JSON formats
# carry them as they are) and its structured values (indicator, field, location, value).
# The Chinese is rendered from the catalogue: the English text is matched against the
# English templates of the problem's code, the values found in it fill the Chinese
# template. A problem whose English matches no template (a plugin's own code, a message
# a reader has just added) still renders: in English under ``--lang en``; in Chinese as
# its code's head (PROBLEM_ZH) with the English kept beside it, which
# tests/test_lang.py refuses for every built-in code.
#
# Template fields: ``{name}`` matches any text; in the Chinese, a value is itself
# translated when it is a known term or phrase (TERMS, PHRASES), ``{detail}`` (a
# library's own error text) becomes the line and column it names, or nothing, and
# ``{error}`` matches an exception's class name only.

_NUMBER_REASONS = [
    ("unexpected unit {unit}; write the number alone", "无法识别的单位 {unit}；请只写数字"),
    ("a yes/no value is not a number", "是/否值不是数值"),
    ("NaN or Infinity is not a number; write the value itself", "NaN 或 Infinity 不是数值；请填写数值本身"),
    ("expected a number or text, got {kind}", "应为数值或文字，实为 {kind}"),
    ("the cell is empty", "单元格为空"),
    ("expected digits such as 95, 95%, 5,956.7 or 6000万元",
     "应为数字，如 95、95%、5,956.7 或 6000万元"),
    ("not a number: {char} is a superscript, fraction or other special digit; write the value "
     "in plain digits", "不是数值：{char} 是上标、分数或其他特殊数字；请用普通数字填写"),
    ("unexpected text {unit} after the number", "数字后有多余的文字 {unit}"),
]

PROBLEM_MESSAGES: dict[str, list[tuple[str, str]]] = {
    # -- the engine and the rules ---------------------------------------------------
    "unknown-rule": [("unknown rule {rule}", "未知计分规则 {rule}"),
                     ("no rule {rule} is registered", "没有名为 {rule} 的计分规则")],
    "no-rate-rule": [("ruleset {ruleset} has no rule for execution-rate lines",
                      "规则集 {ruleset} 没有为预算执行率指标指定计分规则")],
    "missing-nature": [("the nature (指标性质) is empty", "指标性质为空")],
    "unknown-nature": [("{nature} is not a nature ruleset {ruleset} knows",
                        "规则集 {ruleset} 不认识指标性质 {nature}")],
    "missing-weight": [("the weight (指标权重/分值) is empty", "权重（指标权重/分值）为空")],
    "negative-weight": [("the weight {weight} is negative", "权重 {weight} 为负数")],
    "weight-out-of-range": [("the weight {weight} is far too large", "权重 {weight} 过大")],
    "number-out-of-range": [
        ("the numbers of this line are out of range ({detail})", "该行的数值大得无法计算"),
        ("the points of this line are out of range ({detail})", "该行的得分大得无法计算")],
    "weights-sum": [("the weights sum to {total}, not {expected}",
                     "权重合计为 {total}，不等于 {expected}")],
    "empty-group": [("group {group} has no indicators", "一级指标“{group}”下没有三级指标")],
    "group-weights-sum": [("the indicators of group {group} weigh {total}, not the group's {weight}",
                           "一级指标“{group}”下各指标的权重之和为 {total}，不等于其分值 {weight}")],
    "nothing-applicable": [("no applicable indicator carries weight", "没有带权重的适用指标")],
    "missing-value": [("the target (指标值) is empty", "指标值为空"),
                      ("the actual (完成值) is empty", "完成值为空")],
    "not-a-number": [("the target (指标值) {value} is not a number on a {nature} line",
                      "指标值 {value} 不是数值（{nature}指标）"),
                     ("the actual (完成值) {value} is not a number on a {nature} line",
                      "完成值 {value} 不是数值（{nature}指标）"), *_NUMBER_REASONS],
    "negative-target": [("a negative target cannot be scored proportionally",
                         "指标值为负数，不能按比例计分")],
    "not-a-tier": [
        ("a 定性 line needs a tier word as its actual, not an empty cell",
         "定性指标的完成值应为档次用语，而不是空单元格"),
        ("a 定性 line needs a tier word as its actual, not the number {number}",
         "定性指标的完成值应为档次用语，而不是数字 {number}")],
    "unknown-tier": [
        ("{actual} is not a known tier word, and the judged score {judged} lies in no tier's band",
         "{actual} 不是规定的档次用语，评定得分 {judged} 也不在任何档次的区间内"),
        ("{actual} is not a known tier word", "{actual} 不是规定的档次用语")],
    "judged-out-of-band": [("the judged score {judged} is outside the band of tier {tier} {band}",
                            "评定得分 {judged} 不在档次“{tier}”的区间 {band} 内")],
    "bad-budget": [("the budget (全年预算数) must be above 0", "全年预算数应大于 0")],
    "bad-executed": [("the executed amount (全年执行数) is negative", "全年执行数为负数")],
    "ambiguous-rate": [("the execution rate {rate} has no % unit: is it {low}% or {high}%?",
                        "执行率 {rate} 没有 % 单位：是 {low}% 还是 {high}%？")],
    "negative-rate": [("the execution rate is negative", "执行率为负数")],
    # -- a form's data ----------------------------------------------------------------
    "not-a-form": [("a form is a mapping with an 'indicators' list",
                    "表单应是含有 'indicators' 列表的映射"),
                   ("the file does not hold a form mapping", "文件中没有表单（映射）")],
    "no-indicators": [("the form has no indicators", "表单没有指标"),
                      ("the indicator table has no rows with data", "指标表中没有填有数据的行")],
    "not-an-indicator": [("an indicator is a mapping of fields", "指标应是“字段: 值”的映射")],
    "bad-group": [("a group needs a path and a numeric weight ({detail})",
                   "一级指标需要 path 和数值 weight"),
                  ("the subtotal of group {group} is no number", "分组 {group} 的小计不是数值")],
    "bad-ruleset": [("ruleset is a ruleset id", "ruleset 应为规则集编号")],
    "bad-year": [("year {year} is not a year", "year {year} 不是年份")],
    "bad-skipped": [("a skipped row needs where, text and reason ({detail})",
                     "skipped 的每一项需要 where、text 和 reason")],
    "unknown-field": [("unknown field {field}", "未知字段 {field}")],
    "bad-number": list(_NUMBER_REASONS),
    "no-name": [("the indicator has no name", "指标没有名称")],
    "nature-conflict": [
        ("the 指标性质 cell ({nature_cell}) says {nature} but the target cell ({target_cell}) "
         "says {target}",
         "指标性质单元格（{nature_cell}）为 {nature}，指标值单元格（{target_cell}）却为 {target}")],
    "unit-mismatch": [("the cell's unit {cell_unit} differs from the indicator's unit {unit}",
                       "单元格的单位 {cell_unit} 与指标的计量单位 {unit} 不一致")],
    "bad-path": [("path is the list of the indicator's group names",
                  "path 应为指标所属各级指标名称的列表")],
    "bad-applicable": [("applicable must be true or false", "applicable 应为 true 或 false")],
    "cell-error": [("the cell shows the spreadsheet error {error}", "单元格显示表格错误值 {error}")],
    "formula-without-value": [
        ("the cell holds the formula {formula} but no value calculated from it (the program "
         "that wrote the file did not calculate it)",
         "单元格中是公式 {formula}，但没有保存计算结果（写出该文件的程序没有计算公式）")],
    # -- files ------------------------------------------------------------------------
    "unknown-format": [
        ("unknown format {name} (valid: {known})", "未知的格式 {name}（可用：{known}）"),
        ("no reader for {suffix} (known: {known}); use --from NAME to choose one",
         "没有能读取 {suffix} 的格式（已知：{known}）；可用 --from NAME 指定"),
        ("old binary Word (.doc) files cannot be read: save the file as .docx",
         "无法读取旧版 Word（.doc）文件：请另存为 .docx"),
        ("WPS spreadsheets (.et) cannot be read: save the file as .xlsx",
         "无法读取 WPS 表格（.et）文件：请另存为 .xlsx"),
        ("WPS documents (.wps) cannot be read: save the file as .docx",
         "无法读取 WPS 文字（.wps）文件：请另存为 .docx")],
    "empty-file": [("the file has no content", "文件没有内容"), ("the file is empty", "文件是空的")],
    "unreadable": [("cannot read the file: {reason}", "无法读取该文件：{reason}")],
    "file-too-large": [("the file is {size} bytes; the limit is {limit}",
                        "文件有 {size} 字节，上限为 {limit} 字节")],
    "bad-setting": [("{name} is not a positive whole number", "{name} 不是正整数")],
    "several-forms": [("the file holds {count} forms ({names})", "文件中有 {count} 张表（{names}）")],
    "limit-exceeded": [
        ("the data nests deeper than {depth} levels; the limit max_depth is {limit}",
         "数据嵌套超过 {depth} 层；上限 max_depth 为 {limit}"),
        ("{found}; the limit {limit_name} is {limit}", "{found}；上限 {limit_name} 为 {limit}")],
    "encrypted-or-old": [
        ("the file is password-protected, or an old binary {kind} file saved under a new name",
         "文件设置了打开密码，或是改了扩展名的旧版 {kind} 二进制文件"),
        ("the workbook is password-protected", "工作簿设置了打开密码"),
        ("the PDF is password-protected", "PDF 设置了打开密码")],
    "corrupt-file": [
        ("the file is not a valid {kind} file (corrupt or not a zip archive)",
         "文件不是有效的 {kind} 文件（已损坏，或不是 zip 压缩包）"),
        ("Word cannot be read: the file has no word/document.xml",
         "无法读取 Word 文件：文件中没有 word/document.xml"),
        ("Word cannot be read: {error}: {detail}", "无法读取 Word 文件（{error}）"),
        ("Excel cannot be read: {error}: {detail}", "无法读取 Excel 文件（{error}）"),
        ("sheet {sheet} cannot be read: {error}: {detail}", "无法读取工作表 {sheet}（{error}）"),
        ("the .xls workbook cannot be read: {error}: {detail}",
         "无法读取 .xls 工作簿（{error}）"),
        ("sheet {sheet} of the .xls workbook cannot be read: {error}: {detail}",
         "无法读取 .xls 工作簿的第 {sheet} 张工作表（{error}）"),
        ("the file is not a PDF", "文件不是 PDF"),
        ("the PDF cannot be read: {error}: {detail}", "无法读取该 PDF（{error}）")],
    "not-xls": [
        ("the file is a web page (HTML) saved under a .xls name, as some systems export",
         "文件是以 .xls 为扩展名保存的网页（HTML），有些系统会这样导出"),
        ("the file is an XML spreadsheet (Excel 2003 XML) saved under a .xls name",
         "文件是以 .xls 为扩展名保存的 XML 表格（Excel 2003 XML）"),
        ("the file is not a binary Excel (.xls) workbook", "文件不是旧版二进制 Excel（.xls）工作簿")],
    "no-text-layer": [
        ("the PDF has no text layer (a scanned or image-only PDF): there is no text to read the "
         "form from", "PDF 没有文字层（扫描件或纯图片 PDF），无法从中读取表单")],
    "no-table": [
        ("the document has no table", "文档中没有表格"),
        ("no ruled table found on any page of the PDF", "PDF 的各页上都没有带框线的表格"),
        ("no indicator table found: no row has the column headers of one",
         "没有找到指标表：没有一行含有指标表的列标题")],
    "missing-column": [("the header row has no {field} column", "表头行没有 {field} 列")],
    "bad-encoding": [
        ("the file is neither UTF-8 nor GBK/GB18030 (byte {byte})",
         "文件既不是 UTF-8 也不是 GBK/GB18030 编码（第 {byte} 字节）"),
        ("the file is not UTF-8 (byte {byte}); save it as UTF-8",
         "文件不是 UTF-8 编码（第 {byte} 字节）；请另存为 UTF-8")],
    "bad-csv": [("not valid CSV on line {line}: {detail}", "第 {line} 行不是有效的 CSV")],
    "bad-json": [("not valid JSON: {detail}", "不是有效的 JSON"),
                 ("{name} is not a valid number", "{name} 不是有效的数值"),
                 ("the integer {digits} has {count} digits; at most 40 are valid",
                  "整数 {digits} 有 {count} 位；至多 40 位")],
    "bad-toml": [("not valid TOML: {detail}", "不是有效的 TOML{detail}")],
    "bad-yaml": [("not valid YAML: {detail}", "不是有效的 YAML{detail}")],
    "bad-text": [("the text {text} holds a lone surrogate (a \\ud800-\\udfff escape that is no "
                  "character)", "文本 {text} 含有孤立的代理码位（\\ud800-\\udfff 转义，不是字符）")],
}

#: What would have been valid (``Problem.expected``), whatever the code.
EXPECTED_MESSAGES: list[tuple[str, str]] = [
    ("a number such as 50", "数值，如 50"),
    ("a ruleset that maps {key} to a rule", "把 {key} 对应到一条计分规则的规则集"),
    ("a number ≥ 0", "不小于 0 的数"),
    ("a number from 0 to {total}", "0 至 {total} 之间的数"),
    ("amounts below 10^15", "小于 10^15 的金额"),
    ("a weight from 0 to {total}", "0 至 {total} 之间的权重"),
    ("weights summing to {total} (±{tolerance}); perfrules.normalize_weights() rescales them",
     "权重合计为 {total}（允许 ±{tolerance}）；perfrules.normalize_weights() 可按比例换算"),
    ("indicators whose path starts with the group's", "path 以该一级指标名称开头的三级指标"),
    ("children summing to {weight}", "合计为 {weight} 的下级指标"),
    ("at least one applicable indicator with a weight > 0", "至少一个权重大于 0 的适用指标"),
    ("a number in the indicator unit", "按计量单位填写的数"),
    ("a number in {unit}", "以 {unit} 为单位的数"),
    ("a number such as 95 or 95% (or nature 定性 for a qualitative line)",
     "数值，如 95 或 95%（定性指标的指标性质填“定性”）"),
    ("a target ≥ 0, or a bands rule for indicators that can be negative",
     "不小于 0 的指标值；可为负数的指标请用分段（bands）规则"),
    ("a tier word ({known}), or a judged score (指标得分) in a tier's band",
     "档次用语（{known}），或在某一档次区间内的评定得分（指标得分）"),
    ("a score in {band}, or the tier word of the tier it belongs to",
     "{band} 内的得分，或该得分所属档次的用语"),
    ("an amount > 0", "大于 0 的金额"),
    ("an amount ≥ 0", "不小于 0 的金额"),
    ("a rate in percent, such as 99.64%", "百分数形式的执行率，如 99.64%"),
    ("a rate ≥ 0%", "不小于 0% 的执行率"),
    ("a non-empty list of indicators", "非空的指标列表"),
    ("an id such as cn-mof-2020 or cn-mof-2020@1", "规则集编号，如 cn-mof-2020 或 cn-mof-2020@1"),
    ("a year such as 2022", "年份，如 2022"),
    ("a number such as 4.5", "数值，如 4.5"),
    ("the indicator's name (三级指标/指标名称)", "指标名称（三级指标/指标名称）"),
    ("the same operator in both cells, or the operator in only one of them",
     "两个单元格中的符号相同，或只在其中一个单元格写符号"),
    ("a number such as 95 or 95%, or a tier word for 定性 lines",
     "数值，如 95 或 95%；定性指标填档次用语"),
    ("a number, or text for 定性 lines", "数值；定性指标可填文字"),
    ("a value; recalculate and save the file", "一个值；请重新计算后保存文件"),
    ("open the file in Excel or WPS and save it, so that every formula's value is saved with "
     "it; or type the value",
     "用 Excel 或 WPS 打开并保存该文件，使每个公式的计算结果随文件保存；或直接填写数值"),
    ("rows below the header with a name and a weight", "表头下有名称和权重的行"),
    ("a header row with 三级指标/指标名称, 指标权重/分值 and 指标值/全年完成值",
     "含有 三级指标/指标名称、指标权重/分值 和 指标值/全年完成值 的表头行"),
    ("a column headed {names}", "以 {names} 为标题的列"),
    ("e.g. {example}", "例如 {example}"),
    ("perfrules.load_all(path), which returns every form of the file",
     "perfrules.load_all(path)，它返回文件中的每一张表"),
    ("at most {limit} levels (a form needs 4); if the file is a real form, set the environment "
     "variable {env} to a larger number",
     "至多 {limit} 层（表单只需 4 层）；如果这确实是一张表，请把环境变量 {env} 设为更大的数"),
    ("at most {limit}; if the file is a real form, {how}", "至多 {limit}；如果这确实是一张表，{how}"),
    ("remove the password, or save it as {kind}", "去掉密码，或另存为 {kind}"),
    ("remove the password and save it again", "去掉密码后重新保存"),
    ("the PDF without a password", "没有密码的 PDF"),
    ("a {kind} file saved by Excel, WPS or Word", "由 Excel、WPS 或 Word 保存的 {kind} 文件"),
    ("a .docx file saved by Word or WPS", "由 Word 或 WPS 保存的 .docx 文件"),
    ("a .xlsx file saved by Excel or WPS", "由 Excel 或 WPS 保存的 .xlsx 文件"),
    ("a .xls file saved by Excel or WPS", "由 Excel 或 WPS 保存的 .xls 文件"),
    ("a PDF file", "PDF 文件"),
    ("a PDF exported from Word, WPS or Excel", "由 Word、WPS 或 Excel 导出的 PDF"),
    ("the PDF as exported from Word, WPS or Excel, or the .xlsx/.docx form itself",
     "由 Word、WPS 或 Excel 导出的 PDF，或 .xlsx/.docx 原表"),
    ("a 绩效自评表 as a Word table", "以 Word 表格填写的绩效自评表"),
    ("a 绩效自评表 printed as a table with borders", "以带框线表格打印的绩效自评表"),
    ("open the file in Excel or WPS and save it as .xlsx", "用 Excel 或 WPS 打开，另存为 .xlsx"),
    ("a CSV file saved by Excel or WPS", "由 Excel 或 WPS 保存的 CSV 文件"),
    ("save the CSV as UTF-8", "把 CSV 另存为 UTF-8 编码"),
    ("an object with \"indicators\": [...]", "含有 \"indicators\": [...] 的对象"),
    ("finite numbers", "有限的数值"),
    ("a unit such as %, 次, 万元", "计量单位，如 %、次、万元"),
    ("a ruleset in force in {year}", "{year} 年现行的规则集"),
    ("text of valid Unicode characters", "由有效 Unicode 字符组成的文本"),
]

#: Phrases inside a message's values (a limit's finding, how to raise a limit).
PHRASES: list[tuple[str, str]] = [
    ("set the environment variable {env} to a larger number", "请把环境变量 {env} 设为更大的数"),
    ("use --max-cells N or set the environment variable {env}",
     "请使用 --max-cells N，或设置环境变量 {env}"),
    ("the file holds {count} parts", "文件含有 {count} 个部件"),
    ("the part {name} unpacks to {size} bytes", "部件 {name} 解压后有 {size} 字节"),
    ("the document holds more than {count} values once its aliases (*name) are expanded",
     "展开别名（*name）后，文档中的值超过 {count} 个"),
    ("the document has more than {count} tables", "文档中的表格超过 {count} 个"),
    ("the document has more than {count} paragraphs", "文档中的段落超过 {count} 个"),
    ("the document's tables have more than {count} cells", "文档中表格的单元格超过 {count} 个"),
    ("table {table} spans {rows} rows × {cols} columns", "表{table}有 {rows} 行 × {cols} 列"),
    ("table {table} on page {page} spans {rows} rows × {cols} columns",
     "第 {page} 页的表{table}有 {rows} 行 × {cols} 列"),
    ("the PDF has {count} pages", "PDF 有 {count} 页"),
    ("the PDF's tables have more than {count} cells with a value",
     "PDF 中表格的有值单元格超过 {count} 个"),
    ("the field at {where} has {count} characters", "{where} 处的字段有 {count} 个字符"),
    ("the file has more than {count} cells with a value", "文件中有值的单元格超过 {count} 个"),
    ("the file spans {rows} rows × {cols} columns", "文件有 {rows} 行 × {cols} 列"),
    ("a field on line {line} is longer than {count} characters",
     "第 {line} 行有一个字段超过 {count} 个字符"),
    ("sheet {sheet} spans {rows} rows × {cols} columns (its cells reach {cell})",
     "工作表 {sheet} 有 {rows} 行 × {cols} 列（单元格延伸到 {cell}）"),
    # PDF budgets (issue 15: unpacked streams, crossings of ruled lines)
    ("the streams of the PDF unpack to more than {count} bytes",
     "PDF 的数据流解压后超过 {count} 字节"),
    ("the ruled lines of page {page} cross at {count} points",
     "第 {page} 页的表格线有 {count} 个交点"),
    ("the ruled lines of pages 1 to {page} cross at more than {count} points",
     "第 1 至 {page} 页的表格线共有超过 {count} 个交点"),
    # JSON, TOML and YAML budgets counted while parsing (issue 15)
    ("the document holds more than {count} values", "文档中的值超过 {count} 个"),
    ("the form file is {size} bytes", "表单文件有 {size} 字节"),
]

#: Words that fill a template's fields.
TERMS: dict[str, str] = {
    "quantitative": "定量",
    "the indicator unit": "计量单位", "files without an extension": "没有扩展名的文件",
    "(empty)": "（空）", "No such file or directory": "文件不存在",
    "Permission denied": "没有读取权限", "Is a directory": "是文件夹",
    "Input/output error": "输入输出错误",
}


#: What needs an optional dependency (``MissingDependencyError.what``).
NEEDS: list[tuple[str, str]] = [
    ("reading {kind} forms", "读取 {kind} 表单"), ("reading {kind} files", "读取 {kind} 文件"),
    ("writing {kind} forms", "写出 {kind} 表单"), ("writing {kind} reports", "写出 {kind} 报告"),
    ("annotated Excel copies", "生成 Excel 批注副本"),
]

#: Plugin errors a user meets at run time, in Chinese (errors a plugin's author meets when
#: registering stay as written: they are about the plugin's code).
PLUGIN_ERRORS: list[tuple[str, str]] = [
    ("plugin {name} ({value}) failed to load: {error}: {detail}",
     "插件 {name}（{value}）无法加载（{error}）"),
    ("rule {rule} (plugin {plugin}) failed on indicator {name} at {where}: {error}: {detail}",
     "计分规则 {rule}（插件 {plugin}）计算指标 {name}（{where}）时出错（{error}）"),
    ("rule {rule} (plugin {plugin}) returned {value} for indicator {name}, not an Outcome",
     "计分规则 {rule}（插件 {plugin}）对指标 {name} 返回了 {value}，不是 perfrules.plugin.Outcome"),
    ("plugin {name} raised in {hook}: {error}: {detail}", "插件 {name} 在 {hook} 中出错（{error}）"),
]

#: Warnings perfrules gives (``PerfrulesWarning``), as lines in the run's language.
WARNINGS: list[tuple[str, str]] = [
    ("the plugin allow-list names {name}, which matches no installed perfrules plugin",
     "插件清单中的 {name} 不是已安装的 perfrules 插件"),
]

#: The built-in rules, described in both languages (a plugin's rule gives its own as
#: ``description_zh`` and ``description_en``; see docs/plugin-guide.md).
RULE_TEXT: dict[str, dict[str, str]] = {
    "at-least": {"zh": "≥ 和 >（正向）：B ≥ A 为达成；否则按 B / A 计分，不低于 0。",
                 "en": "≥ and > (正向): met when B ≥ A; else credit B / A, never below 0."},
    "at-most": {"zh": "≤ 和 <（反向）：B ≤ A 为达成；否则按 A / B 计分（reverse = \"ratio\"），"
                      "或按 1 − (B − A) / A 计分，B ≥ 2A 时为 0（reverse = \"linear\"）。",
                "en": "≤ and < (反向): met when B ≤ A; else A / B (reverse = \"ratio\") or "
                      "1 − (B − A) / A, 0 from B ≥ 2A (reverse = \"linear\")."},
    "equal": {"zh": "=：B = A 为达成（B > A 也得满分，审核会提示）；否则按 B / A 计分。",
              "en": "=: met when B = A (B > A also scores full; audit flags it); else B / A."},
    "execution-rate": {
        "zh": "预算执行率：按 min(执行率, 100%) 计分；同时填有全年执行数和全年预算数时，执行率 = "
              "全年执行数 / 全年预算数，否则取完成值（%）。",
        "en": "预算执行率: credit min(rate, 100%); the rate from 全年执行数 / 全年预算数 (executed / "
              "budget) when both are given, else from the actual in %."},
    "qualitative": {
        "zh": "定性：完成值写档次用语；评定得分（judged_score，否则 reported_score）须在该档区间内，"
              "未填时取该档默认得分。完成值不是档次用语（如“有效”或一句话）时，按评定得分所在区间归档；"
              "没有评定得分则拒绝计分，并列出档次用语。",
        "en": "定性: the actual names a tier; the judged score (judged_score, else reported_score) "
              "must lie in the tier's band; without one, the tier's default applies. An actual that "
              "is no tier word (有效, a sentence) is placed in the tier whose band holds its judged "
              "score; without a judged score it is refused, listing the tier words."},
}


def rule_description(name: str, rule: object, lang: str) -> str:
    """A rule's description in ``lang``: the rule's own ``description_zh`` /
    ``description_en``, else the built-in catalogue, else (English) its docstring's
    first paragraph."""
    own = getattr(rule, f"description_{lang}", None)
    if isinstance(own, str) and own:
        return own
    if name in RULE_TEXT and getattr(type(rule), "__module__", "").startswith("perfrules."):
        return RULE_TEXT[name][lang]
    doc = (type(rule).__doc__ or "").strip().split("\n\n")[0]
    doc = re.sub(r":[a-z]+:`~?([^`]+)`", r"\1", doc).replace("``", "")
    return " ".join(doc.split())


def error_text(exc: BaseException, lang: str) -> str:
    """One of perfrules' errors as a message in ``lang``: problems and the errors
    with values (unknown ruleset, missing extra) from the catalogue; any other
    error as written."""
    from .exceptions import (
        FormError,
        InputError,
        MissingDependencyError,
        PluginError,
        UnknownRulesetError,
    )

    if isinstance(exc, InputError):
        source = exc.source if isinstance(exc, FormError) and exc.source else ""
        lines = [problem_text(p, lang, source) for p in exc.problems]
        body = lines[0] if len(lines) == 1 else "\n".join(
            [text("problem-count", lang, count=len(lines))] + [f"  - {line}" for line in lines])
        return f"{source}: {body}" if source else body
    if isinstance(exc, UnknownRulesetError):
        known = ("、" if lang == "zh" else ", ").join(exc.known) or text("none-registered", lang)
        return text("unknown-ruleset", lang, ruleset=repr(exc.ruleset_id), known=known)
    if isinstance(exc, MissingDependencyError):
        what = exc.what if lang != "zh" else (translate(exc.what, NEEDS) or exc.what)
        return text("missing-extra", lang, what=what, extra=exc.extra)
    if isinstance(exc, PluginError) and lang == "zh":
        return translate(str(exc), PLUGIN_ERRORS) or str(exc)
    return str(exc)


def warning_text(message: str, lang: str) -> str:
    """A warning perfrules gives, as one line in ``lang``."""
    said = translate(message, WARNINGS) if lang == "zh" else None
    return text("warning", lang, message=said or message)

# Hostile input, round two (issue 15): outputs, budgets and option values.
MESSAGES.update({
    "output-not-a-file": {
        "zh": "{output} 已存在，是{kind}而不是普通文件：输出从不写入或替换它，请另选输出",
        "en": "{output} exists and is {kind}, not a regular file: an output never writes "
              "over or replaces it; choose another output"},
    "folder-kind": {"zh": "文件夹", "en": "a folder"},
    "outputs-failed": {"zh": "未写出：{failed}；已写出：{written}",
                       "en": "not written: {failed}; written: {written}"},
    "nothing": {"zh": "无", "en": "nothing"},
    "writer-gave-nothing": {"zh": "输出格式出错，见上", "en": "its writer failed, see above"},
    "live-links": {"zh": "工作簿含 DDE 公式或外部链接（{where}），不制作批注副本：打开副本会提示运行"
                         "程序或读取其他文件",
                   "en": "the workbook holds a DDE formula or an external link ({where}); no "
                         "annotated copy is made of it: opening the copy would offer to run a "
                         "program or fetch another file"},
    "annotated-not-written": {"zh": "批注副本 {target} 未写出：{reason}",
                              "en": "the annotated copy {target} was not written: {reason}"},
    "pin-overridden": {
        "zh": "perfrules：提示：{where} 自带规则集 {pin}，按 --ruleset 改用 {ruleset} 计分",
        "en": "perfrules: notice: {where} pins ruleset {pin}; scored under {ruleset} as --ruleset "
              "says"},
    "pin-overridden-audit": {
        "zh": "perfrules：提示：--ruleset {ruleset} 用于每一张表，包括自带其他规则集的表",
        "en": "perfrules: notice: --ruleset {ruleset} applies to every form, also to forms that "
              "pin another ruleset"},
    "took-too-long-score": {
        "zh": "{where}：读取和计分超过 {timeout} 秒的时限，未计分（可用 --timeout SECONDS 调高时限，"
              "0 为不限时）",
        "en": "{where}: reading and scoring took longer than the time limit of {timeout} s; not "
              "scored (raise it with --timeout SECONDS, 0: no limit)"},
    "took-too-long-read": {
        "zh": "{where}：读取超过 {timeout} 秒的时限，未转换（可用 --timeout SECONDS 调高时限，"
              "0 为不限时）",
        "en": "{where}: reading took longer than the time limit of {timeout} s; not converted "
              "(raise it with --timeout SECONDS, 0: no limit)"},
    "h-timeout-file": {"zh": "在工作进程中读取一个文件的最长时间，超时即放弃该文件"
                             "（默认：60；0：不限时，且不用工作进程）",
                       "en": "the most time one file may take to be read, in a worker process; a "
                             "file that takes longer is given up (default: 60; 0: no limit, and "
                             "no worker process)"},
    "case-too-deep": {"zh": "不是有效的用例文件：嵌套超过 {limit} 层",
                      "en": "not a valid case file: it nests deeper than {limit} levels"},
    "case-not-run": {"zh": "未运行：{kind}：{detail}", "en": "not run: {kind}: {detail}"},
    "seconds": {"zh": "{value} 不是有效的秒数（应为 0 即不限时，或有限的正数）",
                "en": "{value} is not a number of seconds (valid: 0 for no limit, or a finite "
                      "number above 0)"},
    # issue 15: two sheets of one title
    "duplicate-sheets": {"zh": "工作簿中有两张名为 {name} 的工作表（Excel 不允许）：无法确定各条问题在"
                               "哪一张表上，不制作批注副本",
                         "en": "the workbook has two sheets titled {name} (Excel does not allow "
                               "it): which of them each finding is on cannot be told, so no "
                               "annotated copy is made of it"},
})

PROBLEM_MESSAGES.update({  # issue 15: wrong types and hostile sizes
    "bad-type": [("{key} is {kind}, not text", "{key} 的类型是{kind}，应为文字")],
    "duplicate-part": [("the file holds two parts named {a} and {b}; which one a program "
                        "reads is a matter of chance", "文件中有两个同名部件 {a} 和 {b}，读哪一个无法确定")],
})
PROBLEM_MESSAGES["bad-group"].append(("groups is {kind}, not a list", "groups 的类型是{kind}，应为列表"))
PROBLEM_MESSAGES["bad-skipped"].append(("skipped is {kind}, not a list",
                                        "skipped 的类型是{kind}，应为列表"))
PROBLEM_MESSAGES["bad-year"].append(("year {year} is out of range", "年度 {year} 超出有效范围"))

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
    (re.compile(r"argument (\S+): (.*) is not a number of seconds .*"),
     "参数 {0}：{1} 不是有效的秒数（应为 0 即不限时，或有限的正数）"),
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


@functools.cache
def _pattern(template: str) -> re.Pattern[str]:
    """An English template as a pattern whose groups are its fields."""
    parts, seen = [], set()
    for literal, name, _, _ in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if name is None:
            continue
        # {error} is an exception's class name: no spaces, so the text before it may hold ": "
        body = r"[\w.]+" if name == "error" else ".+?"
        parts.append(f"(?P={name})" if name in seen else f"(?P<{name}>{body})")
        seen.add(name)
    return re.compile("".join(parts), re.DOTALL)


_POSITION = re.compile(r"line (\d+),? column (\d+)")


def _value_zh(name: str, value: str) -> str:
    """A value found in an English message, for its Chinese template."""
    if name == "detail":  # a library's own words: only the place they name
        where = _POSITION.search(value)
        return f"（第 {where.group(1)} 行第 {where.group(2)} 列）" if where else ""
    if value in TERMS:
        return TERMS[value]
    return translate(value, PHRASES) or value


def translate(english: str, pairs: Sequence[tuple[str, str]]) -> Optional[str]:
    """``english`` in Chinese by the first ``(English, Chinese)`` template pair that
    matches it whole, its fields filled with what they matched; ``None`` when none does."""
    for en, zh in pairs:
        match = _pattern(en).fullmatch(english)
        if match:
            return zh.format(**{k: _value_zh(k, v) for k, v in match.groupdict().items()})
    return None


def problem_message(problem: Problem, lang: str) -> str:
    """The problem's message in ``lang``: its English ``message`` as written, or
    the Chinese of the catalogue; the English when the catalogue has none
    (:func:`problem_translated` tells which)."""
    if lang != "zh":
        return problem.message
    return translate(problem.message, PROBLEM_MESSAGES.get(problem.code, ())) or problem.message


def problem_translated(problem: Problem) -> bool:
    """Whether the catalogue has the problem's message in Chinese."""
    return translate(problem.message, PROBLEM_MESSAGES.get(problem.code, ())) is not None


def expected_text(expected: Optional[str], lang: str) -> Optional[str]:
    """What would be valid (``Problem.expected``, ``Finding.expected``) in ``lang``:
    a catalogue sentence in Chinese; lists of names and numbers as they are."""
    if expected is None or lang != "zh":
        return expected
    return translate(expected, EXPECTED_MESSAGES) or expected


def value_text(value: str, lang: str) -> str:
    """A problem's ``value`` as shown: the value as written, quoted."""
    if lang == "zh" and value in TERMS:
        return TERMS[value]
    return repr(value)


def problem_text(problem: Problem, lang: str, source: str = "") -> str:
    """One problem as one line in ``lang``, its cell first, without ``source``
    (the file the line is already about).

    The message and what would be valid come from the catalogue in the run's
    language; the value as written stays as it is. A problem the catalogue
    does not know keeps its English message; in Chinese it is led by its
    code's head (:data:`PROBLEM_ZH`) when there is one.
    """
    where = []
    location = without_source(problem.location or "", source) if source else problem.location
    if location and location != source:
        where.append(location)
    if problem.indicator is not None:
        where.append(text("indicator", lang, name=problem.indicator))
    if problem.field:
        where.append(text("field", lang, field=problem.field))
    message = problem_message(problem, lang)
    translated = lang != "zh" or problem_translated(problem)
    extra = []
    if problem.value is not None and repr(problem.value) not in message:
        extra.append(text("got", lang, value=value_text(problem.value, lang)))
    if problem.expected:
        extra.append(text("valid", lang, expected=expected_text(problem.expected, lang)))
    if lang == "zh":
        head = message
        if not translated and problem.code in PROBLEM_ZH:
            head = PROBLEM_ZH[problem.code]
            extra.insert(0, problem.message)
        line = f"{'，'.join(where)}：{head}" if where else head
        return f"{line}（{'；'.join(extra)}）" if extra else line
    line = f"{', '.join(where)}: {message}" if where else message
    return f"{line} ({'; '.join(extra)})" if extra else line
