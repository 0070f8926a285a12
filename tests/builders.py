"""Build real .xlsx, .docx and .csv forms from code, in the layouts of published forms."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import perfrules

SEED_TITLE = "香炉山街道2022年度部门整体绩效自评表"
SEED_HEADER = ["绩效指标", "指标名称", "计量\n单位", "指标\n性质", "指标值", "指标权重\n（分）",
               "全年\n完成值", "指标得分\n（分）", "说明"]


def _num(text: str) -> Any:
    """How Excel stores a typed number: int when whole, else a binary float."""
    return int(text) if text.isdigit() else float(text)


def seed_rows() -> list[list[Any]]:
    data = json.loads(perfrules.example_path().read_text("utf-8"))
    rows = []
    for ind in data["indicators"]:
        nature = ind["nature"]
        target = ind["target"] if nature == "定性" else _num(ind["target"])
        actual = ind["actual"] if nature == "定性" else _num(ind["actual"])
        rows.append([None, ind["name"], ind.get("unit"), nature, target, _num(ind["weight"]),
                     actual, _num(ind["reported_score"]), None])
    return rows


def seed_xlsx(path: Path) -> Path:
    """The seed form as a 部门整体 Excel table: merged title, labels, merged 绩效指标 column."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "自评表"
    ws["A1"] = "附件1"
    ws["A2"] = SEED_TITLE
    ws.merge_cells("A2:I2")
    ws.append(["主管部门", "重庆高新区香炉山街道办事处", None, None, "部门", None, "自评总分\n（分）",
               99.96, None])
    ws.merge_cells("B3:D3")
    ws.append(["当年绩效\n目标", "年初绩效目标", None, None, "全年（调整）绩效目标", None,
               "全年目标实际完成情况"])
    ws.append(SEED_HEADER)
    for row in seed_rows():
        ws.append(row)
    ws.merge_cells(start_row=6, start_column=1, end_row=26, end_column=1)
    ws.append(["注：指标得分保留两位小数。"])
    wb.save(path)
    return path


def seed_docx(path: Path) -> Path:
    """The seed form as a Word table, with merged title and 绩效指标 cells."""
    import docx

    document = docx.Document()
    document.add_paragraph("附件1")
    document.add_paragraph(SEED_TITLE)
    rows = seed_rows()
    table = document.add_table(rows=3 + len(rows), cols=9)
    meta = ["主管部门", "重庆高新区香炉山街道办事处", "", "", "部门", "", "自评总分（分）", "99.96", ""]
    for c, text in enumerate(meta):
        table.cell(0, c).text = text
    table.cell(0, 1).merge(table.cell(0, 3))
    table.cell(0, 1).text = "重庆高新区香炉山街道办事处"
    table.cell(1, 0).text = "当年绩效目标"
    for c, text in enumerate(SEED_HEADER):
        table.cell(2, c).text = text
    for r, row in enumerate(rows, start=3):
        for c, value in enumerate(row):
            if value is not None:
                table.cell(r, c).text = str(value)
    table.cell(3, 0).merge(table.cell(2 + len(rows), 0))
    document.save(str(path))
    return path


PROJECT_TITLE = "社区服务能力提升项目2023年度项目支出绩效自评表"


def project_xlsx(path: Path) -> Path:
    """A 项目支出 form: fund lines, merged 一级/二级 cells, percentage-formatted cells,
    floats such as 794.8 / 800 (execution rate 9.935 -> 9.94)."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "项目自评"
    ws["A1"] = PROJECT_TITLE
    ws.merge_cells("A1:H1")
    ws.append(["项目名称", "社区服务能力提升项目", None, None, "主管部门", "某区民政局"])
    ws.append(["实施单位", "某街道办事处", None, None, "自评总分", 99.11])
    ws.append(["项目资金（万元）", None, "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"])
    ws.append([None, "年度资金总额", 800, 800, 794.8, 10, 0.9935, 9.94])
    ws.append([None, "其中：当年财政拨款", 800, 800, 794.8, None, None, None])
    ws.append([None, "上年结转资金", None, None, None, None, None, None])
    ws["G5"].number_format = "0.00%"
    ws.append(["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
               "偏差原因分析及改进措施"])                                          # row 8
    rows = [
        ["产出指标", "数量指标", "培训人次", "≥500人次", 520, 20, 20, None],         # 9
        [None, None, "覆盖社区数", "≥7个", 7, 10, 10, None],                         # 10
        [None, "质量指标", "验收合格率", "≥95%", 0.98, 10, 10, None],                # 11
        [None, "时效指标", "按时完成率", "=100%", 1, 10, 10, None],                  # 12
        ["效益指标", "社会效益指标", "群众知晓率", "≥90%", 0.85, 15, 14.17,
         "宣传覆盖不足，下年度增加入户宣传"],                                          # 13
        [None, "经济效益指标", "运行成本", "≤50万元", 48, 15, 15, None],              # 14
        ["满意度指标", "服务对象满意度指标", "服务对象满意度", "≥90%", 0.92, 10, 10, None],  # 15
        ["总分", None, None, None, None, 100, 99.11, None],                          # 16
    ]
    for row in rows:
        ws.append(row)
    ws["D12"].data_type = "s"  # typed as text ('=100%), not a formula
    for ref in ("E11", "E12", "E13", "E15"):
        ws[ref].number_format = "0%"
    ws.merge_cells("A9:A12")
    ws.merge_cells("B9:B10")
    ws.merge_cells("A13:A14")
    ws.append(["填表说明：1. 分值按指标重要程度确定；2. 得分保留两位小数。"])
    wb.save(path)
    return path


def two_row_header_xlsx(path: Path) -> Path:
    """A table whose header spans two rows: 指标值 over 年初指标值 / 全年指标值."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(["某单位2024年度部门整体绩效自评表"])
    ws.append(["一级指标", "二级指标", "三级指标", "指标性质", "指标值", None, "分值", "完成值", "得分"])
    ws.append([None, None, None, None, "年初指标值", "全年指标值", None, None, None])
    ws.merge_cells("E2:F2")
    ws.append(["产出指标", "数量指标", "新建站点", "≥", 8, 10, 60, 10, 60])
    ws.append(["效益指标", "社会效益", "服务人次", "不少于", 1000, 1200, 40, 1100, 36.67])
    wb.save(path)
    return path


def seed_csv(path: Path, encoding: str = "gbk") -> Path:
    """The seed table as a Chinese Excel exports CSV (GBK by default)."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([SEED_TITLE])
    writer.writerow(["主管部门", "重庆高新区香炉山街道办事处", "", "", "自评总分", "99.96"])
    writer.writerow([h.replace("\n", "") for h in SEED_HEADER])
    for row in seed_rows():
        writer.writerow(["" if v is None else v for v in row])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path
