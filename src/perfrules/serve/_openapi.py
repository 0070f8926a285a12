"""The OpenAPI 3.1 document of ``perfrules serve`` (``GET /v1/openapi.json``).

The form and report schemas are the ones perfrules publishes
(``perfrules schema form`` / ``report``), embedded as they are: OpenAPI 3.1
speaks JSON Schema 2020-12. The examples are Chinese, as the forms are, and
are computed from the bundled example form, so that they never drift from
what the server answers.
"""

from __future__ import annotations

import json
from typing import Any

from .. import __version__, example, score
from .._registry import Registry
from ._app import MEDIA_TYPES, TABLE_TYPES, ruleset_dict
from ._work import provenance


def _schema(which: str) -> dict[str, Any]:
    from ..cli import schema_text

    data: dict[str, Any] = json.loads(schema_text(which))
    return data


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], example: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"schema": schema}
    if example is not None:
        body["example"] = example
    return {"application/json": body}


def _refusal(status: int, code: str, detail: str) -> Any:
    return {"description": detail, "content": {"application/problem+json": {
        "schema": _ref("Problem"),
        "example": {"type": f"urn:perfrules:problem:{code}", "status": status, "code": code,
                    "detail": detail}}}}


_ERRORS = {
    "400": _refusal(400, "bad-json", "JSON 语法有误：第 1 行第 17 列"),
    "401": _refusal(401, "unauthorized", "需要有效的令牌：请求头 Authorization: Bearer <令牌>"),
    "408": _refusal(408, "slow-upload", "未能在 60 秒内收到完整的请求体"),
    "413": _refusal(413, "too-large", "请求体超过上限 20971520 字节（服务器的 --max-bytes）"),
    "415": _refusal(415, "unsupported-type", "无法识别上传内容的类型 image/png"),
    "422": _refusal(422, "bad-number", "自评表!F14，指标“培训人次”，字段 actual：不是有效数值"),
    "500": _refusal(500, "internal-error", "内部错误：RuntimeError；这是 perfrules 或插件的缺陷，请报告"),
    "503": _refusal(503, "busy", "同时处理的请求已达上限 64，请在 1 秒后重试"),
}

_LANG = [
    {"name": "lang", "in": "query", "required": False, "description":
     "消息的语言 (zh/en)；也可用请求头 Accept-Language。The language of messages.",
     "schema": {"type": "string", "enum": ["zh", "en"]}},
    {"name": "Accept-Language", "in": "header", "required": False,
     "schema": {"type": "string"}, "example": "zh-CN"},
]
_RULESET = [
    {"name": "ruleset", "in": "query", "required": False,
     "description": "规则集编号，如 cn-mof-2020 或 cn-mof-2020@1（默认：表单所写的，否则 cn-mof-2020）",
     "schema": {"type": "string"}, "example": "cn-mof-2020@1"},
    {"name": "year", "in": "query", "required": False,
     "description": "使用该年度现行的规则集", "schema": {"type": "integer"}, "example": 2022},
    {"name": "region", "in": "query", "required": False,
     "description": "地区代码，如 CN-HB（湖北）", "schema": {"type": "string"}, "example": "CN-HB"},
]
_UPLOAD = [
    {"name": "filename", "in": "query", "required": False,
     "description": "文件名；其扩展名决定读取方式（同命令行）", "schema": {"type": "string"},
     "example": "香炉山街道2022年度自评表.xlsx"},
    {"name": "format", "in": "query", "required": False,
     "description": "读取器名称（同 --from）：json、toml、yaml、csv、xlsx、xls、docx、pdf 或插件的",
     "schema": {"type": "string"}},
]


def document(registry: Registry) -> dict[str, Any]:
    """The OpenAPI document, its examples made by this server's perfrules."""
    report = score(example(), registry=registry).to_dict(lang="zh")
    prov = provenance(registry)
    form_example = example().to_dict()
    score_example = {"file": "xianglushan-2022.json", "forms": [{"form": None,
                                                                 "report": report}],
                     "provenance": prov}
    upload: dict[str, Any] = {media: {"schema": {"type": "string", "contentMediaType": media}}
              for media in MEDIA_TYPES if media != "application/json"}
    upload["application/json"] = {"schema": _ref("Form"), "example": form_example}
    upload["multipart/form-data"] = {"schema": {
        "type": "object", "required": ["file"],
        "properties": {"file": {"type": "string", "contentMediaType": "application/octet-stream",
                                "description": "自评表文件（字段名 file）"}}}}
    forms_endpoint = {
        "parameters": [*_RULESET, *_UPLOAD, *_LANG],
        "requestBody": {"required": True, "content": upload},
    }
    errors = dict(_ERRORS)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "perfrules",
            "version": __version__,
            "summary": "绩效自评表评分、复核与审核的 HTTP 接口 — scoring of Chinese budget "
                       "performance self-evaluation forms over HTTP",
            "description": "每个回答都带有来源信息（perfrules 版本、规则集 id@version 和 sha256、"
                           "插件），见响应头 X-Perfrules-*。错误为 application/problem+json，"
                           "问题代码、单元格和消息与命令行相同。",
        },
        "components": {
            "schemas": {
                "Form": _schema("form"),
                "Report": _schema("report"),
                "Provenance": {"type": "object", "required": ["perfrules", "ruleset", "plugins"],
                               "properties": {
                                   "perfrules": {"type": "string"},
                                   "ruleset": {"type": "object", "properties": {
                                       "id": {"type": "string"}, "version": {"type": "string"},
                                       "ref": {"type": "string"},
                                       "sha256": {"type": "string"}}},
                                   "plugins": {"type": "array", "items": {
                                       "type": "object", "properties": {
                                           "name": {"type": "string"},
                                           "version": {"type": "string"}}}}}},
                "ProblemItem": {"type": "object", "required": ["code", "message", "text"],
                                "properties": {k: {"type": ["string", "null"]} for k in (
                                    "code", "message", "indicator", "field", "location",
                                    "value", "expected", "text")}},
                "Problem": {"type": "object", "required": ["type", "status", "code", "detail"],
                            "properties": {
                                "type": {"type": "string"}, "title": {"type": "string"},
                                "status": {"type": "integer"}, "code": {"type": "string"},
                                "detail": {"type": "string"},
                                "problems": {"type": "array", "items": _ref("ProblemItem")},
                                "forms": {"type": "array", "items": _ref("FormResult")},
                                "provenance": _ref("Provenance")}},
                "FormResult": {"type": "object", "required": ["form"], "properties": {
                    "form": {"type": ["string", "null"],
                             "description": "表单在文件中的位置（工作表、表格），文件只有一张表单时为 null"},
                    "report": _ref("Report"),
                    "error": {"type": "object"}}},
                "ScoreResult": {"type": "object", "required": ["file", "forms", "provenance"],
                                "properties": {"file": {"type": "string"},
                                               "forms": {"type": "array",
                                                         "items": _ref("FormResult")},
                                               "provenance": _ref("Provenance")}},
            },
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "仅当服务器以 --token-file 或 "
                                                          "PERFRULES_SERVE_TOKEN 启动时需要"}},
        },
        "security": [{}, {"bearer": []}],
        "paths": {
            "/v1/health": {"get": {
                "summary": "健康检查与来源信息（不需要令牌）", "security": [{}],
                "responses": {"200": {"description": "服务正常",
                                      "content": _json({"type": "object"}, {
                                          "status": "ok", "provenance": prov, "workers": 2,
                                          "in_flight": 0, "max_requests": 64})}}}},
            "/v1/score": {"post": {
                "summary": "为一个文件中的每张自评表计分 — score every form of a file",
                **forms_endpoint,
                "parameters": [*forms_endpoint["parameters"], {
                    "name": "explain", "in": "query", "required": False,
                    "description": "每行附计算说明（默认 true）", "schema": {"type": "boolean"}}],
                "responses": {"200": {"description": "每张表单的报告",
                                      "content": _json(_ref("ScoreResult"), score_example)},
                              **errors}}},
            "/v1/audit": {"post": {
                "summary": "审核一个文件中的每张自评表 — audit every form of a file, with findings",
                **forms_endpoint,
                "responses": {"200": {"description": "每张表单的审核结果（perfrules audit --format json）",
                                      "content": _json({"type": "object"})}, **errors}}},
            "/v1/score-table": {"post": {
                "summary": "按列计分指标表（form_id 列区分表单） — the columnar path, "
                           "perfrules.score_table",
                "parameters": [*_RULESET, *_LANG],
                "requestBody": {"required": True, "content": {
                    media: {"schema": {"type": "string", "contentMediaType": media}}
                    for media in TABLE_TYPES}},
                "responses": {"200": {"description": "各表单的总分、等级和各行得分；"
                                                     "Accept: application/vnd.apache.arrow.stream "
                                                     "时返回表单表的 Arrow IPC 流",
                                      "content": {**_json({"type": "object"}, {
                                          "forms": [{"form_id": "甲", "lines": 21,
                                                     "total": report["total"], "grade": "优",
                                                     "error": None, "bulk": True}],
                                          "lines": [{"form_id": "甲", "line": 0,
                                                     "name": "全年预算执行率",
                                                     "rule": "execution-rate",
                                                     "score": "9.96", "met": False}],
                                          "provenance": prov}),
                                          "application/vnd.apache.arrow.stream": {
                                              "schema": {"type": "string"}}}},
                              **errors}}},
            "/v1/rules": {"get": {"summary": "计分规则", "parameters": _LANG,
                                  "responses": {"200": {"description": "规则列表",
                                                        "content": _json({"type": "object"})}}}},
            "/v1/rulesets": {"get": {
                "summary": "规则集（id@version、地区、施行日期、政策依据）", "parameters": _LANG,
                "responses": {"200": {"description": "规则集列表", "content": _json(
                    {"type": "object"},
                    {"rulesets": [ruleset_dict(rs) for rs in registry.rulesets.values()][:1],
                     "provenance": prov})}}}},
            "/v1/rulesets/select": {"get": {
                "summary": "按年度和地区选择现行的规则集",
                "parameters": [_RULESET[1], _RULESET[2], {
                    "name": "date", "in": "query", "required": False,
                    "schema": {"type": "string", "format": "date"}, "example": "2022-12-31"},
                    *_LANG],
                "responses": {"200": {"description": "选中的规则集",
                                      "content": _json({"type": "object"})},
                              "400": _ERRORS["400"]}}},
            "/v1/plugins": {"get": {"summary": "已加载的插件和读取器", "parameters": _LANG,
                                    "responses": {"200": {"description": "插件列表",
                                                          "content": _json({"type": "object"})}}}},
            "/v1/schemas/{which}": {"get": {
                "summary": "表单或报告的 JSON Schema（perfrules schema form/report）",
                "parameters": [{"name": "which", "in": "path", "required": True,
                                "schema": {"type": "string", "enum": ["form", "report"]}}],
                "responses": {"200": {"description": "JSON Schema 2020-12",
                                      "content": {"application/schema+json": {
                                          "schema": {"type": "object"}}}}}}},
            "/v1/openapi.json": {"get": {"summary": "本文档", "security": [{}],
                                         "responses": {"200": {"description": "OpenAPI 3.1"}}}},
        },
    }
