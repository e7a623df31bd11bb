"""Import problems: where (file, row, column), what (the value, masked if personal) and why, in Chinese and English.

Every rule has a code; the messages live here so the CLI, the upload page and the quarantine file say the same.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

# Columns whose values are personal data (PIPL): shown masked in every report, log and page.
PERSONAL_COLUMNS = frozenset({"name", "id_number", "phone", "birth_date"})

# code -> (中文, English). "{detail}" is filled per problem.
MESSAGES: dict[str, tuple[str, str]] = {
    "empty_file": ("文件为空", "the file is empty"),
    "encoding": ("无法按 UTF-8 或 GB18030 解码", "not decodable as UTF-8 or GB18030"),
    "mixed_encoding": ("文件混用编码：本行是 UTF-8，文件其余部分是 GB18030", "mixed encodings: this line is UTF-8, the rest GB18030"),
    "not_utf8": ("本行不是 UTF-8（疑似 GB18030/GBK），文件其余部分是 UTF-8；请将整个文件另存为同一种编码",
                 "this line is not UTF-8 (it looks like GB18030/GBK) while the rest of the file is UTF-8; save the whole file in one encoding"),
    "unreadable": ("无法读取文件：{detail}", "cannot read the file: {detail}"),
    "unknown_file": ("档案无法对应到任何数据表（配置 {detail}）", "file matches no table of profile {detail}"),
    "unsupported_type": ("不支持的文件类型（仅 CSV、XLSX、XLS）", "unsupported file type (CSV, XLSX, XLS only)"),
    "zip_bomb": ("Excel 文件解压后过大或压缩比异常（疑似压缩炸弹）：{detail}", "Excel file too large when unpacked or abnormal compression ratio (zip bomb?): {detail}"),
    "formula": ("Excel 单元格含公式，请只导出数值：{detail}", "Excel cells hold formulas; export values only: {detail}"),
    "merged_cells": ("Excel 含合并单元格：{detail}", "Excel has merged cells: {detail}"),
    "several_sheets": ("Excel 有多个含数据的工作表：{detail}", "the workbook has several sheets with data: {detail}"),
    "no_header": ("缺少表头行", "no header row"),
    "duplicate_header": ("表头重复：{detail}", "duplicate header: {detail}"),
    "missing_column": ("缺少必需列（可用表头：{detail}）", "required column missing (accepted headers: {detail})"),
    "field_count": ("字段数与表头不符（行被截断或多出分隔符）：{detail}", "field count differs from the header (truncated row or extra separator): {detail}"),
    "required": ("必填值为空", "required value is empty"),
    "bad_date": ("日期无效或不存在", "invalid or impossible date"),
    "date_range": ("日期超出合理范围 {detail}", "date out of the plausible range {detail}"),
    "bad_timestamp": ("时间无效", "invalid date-time"),
    "bad_number": ("不是有效数字", "not a valid number"),
    "bad_integer": ("不是有效整数", "not a valid whole number"),
    "negative": ("数值不能为负", "value must not be negative"),
    "not_positive": ("数值必须大于零", "value must be greater than zero"),
    "price_too_large": ("价格过高：须小于 1000 万元", "price too high: it must be below 10 million"),
    "too_large": ("金额过大：绝对值须小于 10 万亿", "amount too large: it must be below 10 trillion (1e13)"),
    "bad_boolean": ("不是有效的是/否值", "not a valid yes/no value"),
    "bad_value": ("取值不在允许范围内（允许：{detail}）", "value not allowed (allowed: {detail})"),
    "bad_symbol": ("证券代码无效", "invalid security code"),
    "excel_number": ("疑似被 Excel 转成科学计数法的号码", "number mangled by Excel into scientific notation"),
    "bad_id_number": ("身份证号码校验位错误或格式无效（GB 11643）", "ID number fails the GB 11643 check digit or format"),
    "bad_phone": ("手机号码不是 11 位数字", "mobile phone number is not 11 digits"),
    "formula_injection": ("文本以 = + - @ 开头，疑似公式注入", "text starts with = + - @ (formula injection)"),
    "control_chars": ("文本含控制字符", "text contains control characters"),
    "too_long": ("字段过长（超过 {detail} 个字符）", "field too long (over {detail} characters)"),
    "duplicate_key": ("主键重复：{detail}", "duplicate key: {detail}"),
    "key_exists": ("主键已存在于已导入的其他日期：{detail}", "key already loaded for another date: {detail}"),
    "key_other_client": ("该编号已是另一客户的记录（{detail}），更正不能改变客户",
                         "this id is another client's record ({detail}); a correction cannot change the client"),
    "unknown_client": ("客户号不存在", "unknown client"),
    "unknown_advisor": ("投资顾问编号不存在", "unknown advisor"),
    "unknown_symbol": ("证券代码不在证券信息中", "security not in the instruments list"),
    "oversell": ("卖出数量超过已知持仓 {detail}", "sell larger than the known holding {detail}"),
    "reconciliation": ("对账不符：{detail}", "reconciliation mismatch: {detail}"),
}


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None          # 1-based line/record in the source, header = 1; None for a whole-file problem
    column: str | None       # source header as written in the file
    value: str | None        # already masked when personal
    code: str
    detail: str = ""

    @property
    def zh(self) -> str:
        return MESSAGES[self.code][0].format(detail=self.detail)

    @property
    def en(self) -> str:
        return MESSAGES[self.code][1].format(detail=self.detail)

    def as_dict(self) -> dict:
        return {**asdict(self), "zh": self.zh, "en": self.en}

    def line(self) -> str:
        where = self.file + (f":{self.row}" if self.row is not None else "") + (f" [{self.column}]" if self.column else "")
        val = f" «{self.value}»" if self.value is not None else ""
        return f"{where}{val}: {self.zh} / {self.en}"


def mask(value: str | None) -> str | None:
    """Keep enough to find the row (first and last character), hide the rest."""
    if value is None:
        return None
    value = str(value)
    if len(value) <= 2:
        return "*" * len(value)
    keep = 1 if len(value) < 8 else 3
    return value[:keep] + "*" * (len(value) - 2 * keep) + value[-keep:]


def shown(column: str, value: str | None, *, limit: int = 60) -> str | None:
    """The value as reports may show it: masked if personal, cut if long (a 10 MB field stays out of reports)."""
    if value is None:
        return None
    value = mask(value) if column in PERSONAL_COLUMNS else str(value)
    return value if len(value) <= limit else value[:limit] + f"…(+{len(value) - limit})"
