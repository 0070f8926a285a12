"""The server's own words in both languages (the command line's catalogue is
:mod:`perfrules._messages`; problems of a form are worded by it, as on the
command line)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Optional

LANGS = ("zh", "en")

MESSAGES: dict[str, dict[str, str]] = {
    # -- statuses (the ``title`` of an error) -------------------------------------------
    "400": {"zh": "输入有误", "en": "bad input"},
    "401": {"zh": "未授权", "en": "unauthorized"},
    "404": {"zh": "地址不存在", "en": "not found"},
    "405": {"zh": "不支持该请求方法", "en": "method not allowed"},
    "408": {"zh": "请求超时", "en": "request timeout"},
    "413": {"zh": "内容过大", "en": "content too large"},
    "415": {"zh": "不支持的内容类型", "en": "unsupported media type"},
    "422": {"zh": "表单有问题，未计分", "en": "the form has problems; not scored"},
    "500": {"zh": "服务器内部错误", "en": "internal server error"},
    "503": {"zh": "服务器繁忙", "en": "server busy"},
    # -- details ------------------------------------------------------------------------
    "too-large": {"zh": "请求体超过上限 {limit} 字节（服务器的 --max-bytes）",
                  "en": "the request body is larger than the limit of {limit} bytes (the "
                        "server's --max-bytes)"},
    "slow-upload": {"zh": "未能在 {timeout} 秒内收到完整的请求体",
                    "en": "the request body did not arrive within {timeout} seconds"},
    "busy": {"zh": "同时处理的请求已达上限 {limit}，请在 {retry} 秒后重试",
             "en": "{limit} requests are already in progress; retry in {retry} seconds"},
    "took-too-long": {"zh": "处理超过了 {timeout} 秒的时限，已停止（文件异常，或服务器的 --timeout 过小）",
                      "en": "processing took longer than the limit of {timeout} seconds and was "
                            "stopped (a hostile file, or the server's --timeout is too small)"},
    "worker-stopped": {"zh": "处理该请求的进程意外退出（{code}）",
                       "en": "the process handling the request stopped unexpectedly ({code})"},
    "unauthorized": {"zh": "需要有效的令牌：请求头 Authorization: Bearer <令牌>",
                     "en": "a valid token is required: the header Authorization: Bearer <token>"},
    "unsupported-type": {
        "zh": "无法识别上传内容的类型 {type}（可用：{known}；或用 filename= 给出带扩展名的文件名，"
              "或用 format= 指定读取器）",
        "en": "cannot tell what kind of file {type} is (valid: {known}; or give filename= with "
              "an extension, or format= naming a reader)"},
    "table-type": {"zh": "指标表的内容类型 {type} 不受支持（可用：{known}）",
                   "en": "the indicator table's media type {type} is not supported (valid: "
                         "{known})"},
    "no-file": {"zh": "multipart/form-data 请求中没有文件（字段 file）",
                "en": "the multipart/form-data request holds no file (the field file)"},
    "bad-multipart": {"zh": "multipart/form-data 请求体格式有误：{reason}",
                      "en": "the multipart/form-data body is malformed: {reason}"},
    "bad-param": {"zh": "参数 {name} 的值 {value} 无效（可用：{expected}）",
                  "en": "the parameter {name} has an invalid value {value} (valid: {expected})"},
    "not-found": {"zh": "没有地址 {path}（见 /v1/openapi.json）",
                  "en": "there is no {path} (see /v1/openapi.json)"},
    "method": {"zh": "{path} 不支持 {method} 请求", "en": "{path} does not accept {method}"},
    "internal": {"zh": "内部错误：{kind}；这是 perfrules 或插件的缺陷，请报告",
                 "en": "internal error: {kind}; this is a bug in perfrules or a plugin: please "
                       "report it"},
    "forms-failed": {"zh": "文件中的 {total} 张表单有 {count} 张未计分",
                     "en": "{count} of the {total} forms of the file were not scored"},
    "form-failed": {"zh": "未计分：{message}", "en": "not scored: {message}"},
    "no-arrow": {"zh": "服务器未安装 pyarrow：pip install 'perfrules[arrow]'",
                 "en": "the server has no pyarrow: pip install 'perfrules[arrow]'"},
    "bad-table": {"zh": "无法读取指标表：{reason}", "en": "cannot read the indicator table: {reason}"},
    # -- the command line ---------------------------------------------------------------
    "h-serve": {"zh": "以 HTTP 接口提供评分、审核和查询（需安装 perfrules[serve]）",
                "en": "score, audit and list over HTTP (needs perfrules[serve])"},
    "h-host": {"zh": "监听的地址（默认：127.0.0.1，仅本机）",
               "en": "the address to listen on (default: 127.0.0.1, this machine only)"},
    "h-port": {"zh": "监听的端口（默认：8000）", "en": "the port to listen on (default: 8000)"},
    "h-workers": {"zh": "读取和计分的工作进程数（默认：CPU 核数，至多 8）",
                  "en": "worker processes that read and score (default: the CPUs, at most 8)"},
    "h-serve-timeout": {"zh": "每个请求的时限（秒）：接收请求体和计分各自不超过此时长（默认：60）",
                        "en": "each request's time limit in seconds, for receiving the body and "
                              "for the work alike (default: 60)"},
    "h-max-bytes": {"zh": "请求体的最大字节数（默认：20971520，即 20 MiB）",
                    "en": "the largest request body in bytes (default: 20971520, 20 MiB)"},
    "h-max-requests": {"zh": "同时处理的请求数上限，超过时回答 503 和 Retry-After（默认：64）",
                       "en": "requests in progress at once; beyond, 503 with Retry-After "
                             "(default: 64)"},
    "h-token-file": {"zh": "存放访问令牌的文件：客户端须发送 Authorization: Bearer <令牌>；"
                           "也可用环境变量 PERFRULES_SERVE_TOKEN",
                     "en": "a file holding the access token clients must send as "
                           "Authorization: Bearer <token>; or the environment variable "
                           "PERFRULES_SERVE_TOKEN"},
    "serving": {"zh": "perfrules {version} 正在 http://{host}:{port} 提供服务（{workers} 个工作进程，"
                      "默认规则集 {ruleset}）；接口说明：/v1/openapi.json",
                "en": "perfrules {version} serving on http://{host}:{port} ({workers} workers, "
                      "default ruleset {ruleset}); the API: /v1/openapi.json"},
    "open-to-all": {"zh": "警告：监听 {host} 且未设置令牌，网络上的任何人都可以调用本服务",
                    "en": "warning: listening on {host} without a token: anyone on the network "
                          "can call this server"},
    "empty-token": {"zh": "令牌文件 {path} 是空的", "en": "the token file {path} is empty"},
    "bad-token-file": {"zh": "无法读取令牌文件 {path}：{reason}",
                       "en": "cannot read the token file {path}: {reason}"},
}


def say(message_id: str, lang: str, **values: object) -> str:
    """The message ``message_id`` in ``lang``, filled with ``values``."""
    entry = MESSAGES[message_id]
    return entry.get(lang, entry["en"]).format(**values)


def accept_language(header: Optional[str], default: str) -> str:
    """The first of zh/en by the quality values of an ``Accept-Language`` header.

    ``zh-CN,zh;q=0.9,en;q=0.8`` is zh; ``en-US`` is en; anything else the default.
    """
    best: list[tuple[float, int, str]] = []
    for i, item in enumerate((header or "").split(",")):
        tag, _, params = item.strip().partition(";")
        lang = tag.strip().lower()[:2]
        if lang not in LANGS:
            continue
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > 0:
            best.append((-q, i, lang))
    return min(best)[2] if best else default


def choose(query: Mapping[str, str], header: Optional[str], default: str) -> str:
    """``lang=`` of the query, else ``Accept-Language``, else the server's default."""
    given = (query.get("lang") or "").strip().lower()
    return given if given in LANGS else accept_language(header, default)
