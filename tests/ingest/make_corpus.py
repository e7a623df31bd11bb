"""Writes the malformed-file corpus under tests/ingest/corpus/ and its MANIFEST.json.

Run `python tests/ingest/make_corpus.py` after changing a case; the files are committed so the corpus is
fixed bytes, not regenerated per test. Each case is a folder imported as one batch with the `generic`
profile (unless it says otherwise) into a store that already holds exports.simulator_export() (4 clients, 2 advisors,
3 instruments, positions of 2024-01-30, trades T0001-T0003 of 2024-01-31). `expect` is "accept" or "reject";
`codes` are the problem codes that must be reported, `row`/`column` where the first one must point.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from exports import clients_rows, id_number  # noqa: E402

CORPUS = HERE / "corpus"
BASE = HERE / "base"
TRADES_ZH = ["成交编号", "客户号", "成交日期", "证券代码", "买卖方向", "成交数量", "成交价格", "成交金额", "佣金", "印花税",
             "过户费", "委托渠道"]
TRADES_EN = ["trade_id", "client_id", "trade_date", "symbol", "side", "quantity", "price", "amount", "commission",
             "stamp_duty", "transfer_fee", "channel"]
CLIENTS_ZH = ["客户号", "营业部代码", "客户姓名", "证件号码", "手机号码", "性别", "出生日期", "地区", "开户日期", "客户类型",
              "风险等级", "风险测评日期", "投资顾问编号", "拒绝联系"]
T1 = ["T1001", "C0001", "20240201", "600000.SH", "B", "100", "7.10", "710.00", "5.00", "0.00", "0.01", "网上"]
T2 = ["T1002", "C0002", "20240201", "000001.SZ", "S", "100", "9.50", "950.00", "5.00", "0.48", "0.01", "online"]


def text(header: list[str], rows: list[list], newline: str = "\r\n") -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=newline)
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def client(**change) -> list:
    row = dict(zip(CLIENTS_ZH, clients_rows()[0], strict=True))
    row.update({"客户号": "C0101", **change})
    return [row[h] for h in CLIENTS_ZH]


def trade(base=T1, **change) -> list:
    row = dict(zip(TRADES_EN, base, strict=True))
    row.update(change)
    return [row[h] for h in TRADES_EN]


def xlsx(path: Path, sheets: dict[str, list[list]], *, merge: str | None = None) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
        if merge:
            ws.merge_cells(merge)
    wb.save(path)


CASES: list[dict] = []


def case(name: str, expect: str, codes: tuple[str, ...] = (), row: int | None = None, column: str | None = None,
         **extra):
    def register(fn):
        CASES.append({"name": name, "expect": expect, "codes": list(codes), "row": row, "column": column,
                      "build": fn, **extra})
        return fn
    return register


W = "trades.csv"
good = [T1, T2]

# --- encodings ---------------------------------------------------------------------------------------------
case("utf8_bom", "accept", loaded=2)(lambda d: (d / W).write_bytes(b"\xef\xbb\xbf" + text(TRADES_ZH, good).encode()))
case("utf8_no_bom", "accept", loaded=2)(lambda d: (d / W).write_bytes(text(TRADES_ZH, good).encode()))
case("gbk", "accept", loaded=2)(lambda d: (d / W).write_bytes(text(TRADES_ZH, good).encode("gbk")))
case("gb18030_extension_names", "accept", loaded=2, names={"C0101": "李𠮷", "C0102": "王䶮"})(
    lambda d: (d / "clients.csv").write_bytes(text(CLIENTS_ZH, [client(客户姓名="李𠮷"),
                                                                client(客户号="C0102", 客户姓名="王䶮")]).encode("gb18030")))
case("utf8_labelled_gbk", "accept", loaded=1, names={"C0101": "张三丰"})(
    lambda d: (d / "clients.csv").write_bytes(text(CLIENTS_ZH, [client(客户姓名="张三丰")]).encode("utf-8")))
case("mixed_utf8_line_in_gbk", "reject", ("mixed_encoding",), row=3)(
    lambda d: (d / "clients.csv").write_bytes(
        text(CLIENTS_ZH, [client()]).encode("gb18030") + text(CLIENTS_ZH, [client(客户号="C0102")]).split("\r\n")[1]
        .encode("utf-8") + b"\r\n"))
case("bom_then_gbk", "reject", ("not_utf8",), row=2)(
    lambda d: (d / "clients.csv").write_bytes(b"\xef\xbb\xbf" + text(CLIENTS_ZH, []).encode() +
                                              text(["x"], [client()]).split("\r\n", 1)[1].encode("gbk")))
case("invalid_bytes", "reject", ("encoding",), row=2)(
    lambda d: (d / W).write_bytes(text(TRADES_ZH, []).encode("gbk") + b"T1,\xff\xfe\xff,x\r\n"))
case("utf16", "reject", ("encoding",))(lambda d: (d / W).write_bytes(text(TRADES_ZH, good).encode("utf-16")))
case("mixed_newlines", "accept", loaded=2)(
    lambda d: (d / W).write_bytes((",".join(TRADES_ZH) + "\r\n" + ",".join(T1) + "\n" + ",".join(T2) + "\r\n").encode()))
case("cr_newlines", "accept", loaded=2)(lambda d: (d / W).write_bytes(text(TRADES_ZH, good, "\r").encode("gbk")))

# --- structure ---------------------------------------------------------------------------------------------
case("empty_file", "reject", ("empty_file",))(lambda d: (d / W).write_bytes(b""))
case("header_only", "accept", loaded=0)(lambda d: (d / W).write_bytes(text(TRADES_ZH, []).encode("gbk")))
case("truncated_last_row", "reject", ("field_count",), row=3)(
    lambda d: (d / W).write_bytes(text(TRADES_ZH, [T1]).encode() + ",".join(T2[:5]).encode()))
case("extra_field_in_row", "reject", ("field_count",), row=2)(
    lambda d: (d / W).write_bytes(text(TRADES_ZH, [T1 + ["extra"], T2]).encode()))
case("missing_required_column", "reject", ("missing_column",), row=1, column="客户号")(
    lambda d: (d / W).write_bytes(text([h for h in TRADES_ZH if h != "客户号"], [T1[:1] + T1[2:]]).encode()))
case("missing_optional_column", "accept", loaded=1, absent=["channel"])(
    lambda d: (d / W).write_bytes(text(TRADES_ZH[:-1], [T1[:-1]]).encode()))
case("extra_column_dropped", "accept", loaded=1, dropped=["身份证号", "备注"])(
    lambda d: (d / W).write_bytes(text(TRADES_ZH + ["身份证号", "备注"], [T1 + [id_number("11010119900307123"), "x"]]
                                       ).encode()))
case("renamed_column", "reject", ("missing_column",), column="成交编号")(
    lambda d: (d / W).write_bytes(text(["成交序号"] + TRADES_ZH[1:], good).encode()))
case("swapped_column_order", "accept", loaded=2)(
    lambda d: (d / W).write_bytes(text(TRADES_ZH[::-1], [r[::-1] for r in good]).encode()))
case("swapped_values", "reject", ("bad_integer",), row=2, column="成交数量")(
    lambda d: (d / W).write_bytes(text(TRADES_ZH, [trade(quantity="7.10", price="100")]).encode()))
case("duplicate_header", "reject", ("duplicate_header",), row=1)(
    lambda d: (d / W).write_bytes(text(TRADES_ZH + ["客户号"], [T1 + ["C0002"]]).encode()))
case("unknown_file_name", "reject", ("unknown_file",))(
    lambda d: (d / "流水.csv").write_bytes(text(TRADES_ZH, good).encode()))
case("blank_lines", "accept", loaded=2)(
    lambda d: (d / W).write_bytes(("\r\n" + ",".join(TRADES_ZH) + "\r\n\r\n" + ",".join(T1) + "\r\n\r\n" +
                                   ",".join(T2) + "\r\n\r\n").encode()))
case("canonical_headers", "accept", loaded=2)(lambda d: (d / W).write_bytes(text(TRADES_EN, good).encode()))
case("chinese_table_file_name", "accept", loaded=2)(lambda d: (d / "成交.csv").write_bytes(text(TRADES_ZH, good).encode()))
case("unsupported_extension", "reject", ("unsupported_type",), profile_names=True)(
    lambda d: (d / "trades.xlsx").write_bytes(text(TRADES_ZH, good).encode()))

# --- dates -------------------------------------------------------------------------------------------------
case("dates_yyyymmdd", "accept", loaded=1)(lambda d: (d / W).write_bytes(text(TRADES_ZH, [T1]).encode()))
case("dates_iso", "accept", loaded=1)(lambda d: (d / W).write_bytes(text(TRADES_ZH, [trade(trade_date="2024-02-01")]).encode()))
case("dates_slash", "accept", loaded=1)(lambda d: (d / W).write_bytes(text(TRADES_ZH, [trade(trade_date="2024/02/01")]).encode()))
case("dates_three_formats_mixed", "accept", loaded=3)(
    lambda d: (d / W).write_bytes(text(TRADES_ZH, [T1, trade(T2, trade_date="2024-02-01"),
                                                   trade(trade_id="T1003", trade_date="2024/02/01")]).encode()))
case("impossible_date", "reject", ("bad_date",), row=2, column="成交日期")(
    lambda d: (d / W).write_bytes(text(TRADES_ZH, [trade(trade_date="20240231")]).encode()))
case("future_date", "reject", ("date_range",), row=2, column="成交日期")(
    lambda d: (d / W).write_bytes(text(TRADES_ZH, [trade(trade_date="20990101")]).encode()))
case("date_as_words", "reject", ("bad_date",), row=3)(
    lambda d: (d / W).write_bytes(text(TRADES_ZH, [T1, trade(T2, trade_date="Feb 1 2024")]).encode()))

# --- numbers -----------------------------------------------------------------------------------------------
case("thousands_separators", "accept", loaded=1, amount="16000.00")(
    lambda d: (d / W).write_bytes(text(TRADES_ZH, [trade(amount="16,000.00", quantity="1,000", price="16.00")]).encode()))
case("non_numeric_amount", "reject", ("bad_number",), row=2, column="成交金额")(
    lambda d: (d / W).write_bytes(text(TRADES_ZH, [trade(amount="七百一十")]).encode()))
case("nan_amount", "reject", ("bad_number",), row=2)(lambda d: (d / W).write_bytes(text(TRADES_ZH, [trade(amount="NaN")]).encode()))
case("negative_quantity", "reject", ("not_positive",), row=2, column="成交数量")(
    lambda d: (d / W).write_bytes(text(TRADES_ZH, [trade(quantity="-100")]).encode()))
case("negative_commission", "reject", ("negative",), row=2, column="佣金")(
    lambda d: (d / W).write_bytes(text(TRADES_ZH, [trade(commission="-5.00")]).encode()))
case("fractional_quantity", "reject", ("bad_integer",), row=2)(
    lambda d: (d / W).write_bytes(text(TRADES_ZH, [trade(quantity="100.5")]).encode()))
case("overflowing_quantity", "reject", ("bad_integer",), row=2)(
    lambda d: (d / W).write_bytes(text(TRADES_ZH, [trade(quantity="99999999999999999999999")]).encode()))
# Beyond DECIMAL(18,4), the store's exact money type: once a crash in the load's client_days, now a problem.
case("amount_beyond_the_store", "reject", ("too_large",), row=3, column="成交金额")(
    lambda d: (d / W).write_bytes(text(TRADES_ZH, [T1, trade(T2, amount="9000000000000000.00")]).encode("gbk")))
case("amount_of_a_block_trade", "accept", loaded=1, amount="50000000000.00")(
    lambda d: (d / W).write_bytes(text(TRADES_ZH, [trade(amount="50000000000.00")]).encode()))
case("amount_a_cent_below_the_limit", "accept", loaded=1, amount="9999999999999.99")(   # cents exact
    lambda d: (d / W).write_bytes(text(TRADES_ZH, [trade(amount="9999999999999.99")]).encode()))
case("amount_where_a_double_loses_cents", "reject", ("too_large",), row=2, column="成交金额")(
    lambda d: (d / W).write_bytes(text(TRADES_ZH, [trade(amount="99999999999999.99")]).encode()))
case("price_beyond_any_share", "reject", ("price_too_large",), row=2, column="成交价格")(
    lambda d: (d / W).write_bytes(text(TRADES_ZH, [trade(price="1e300")]).encode()))

# --- codes and references ----------------------------------------------------------------------------------
case("symbol_spellings", "accept", loaded=3, symbols=["600000.SH", "000001.SZ", "300750.SZ"])(
    lambda d: (d / W).write_bytes(text(TRADES_ZH, [trade(symbol="sh600000"), trade(T2, symbol="000001"),
                                                   trade(trade_id="T1003", symbol="300750.sz")]).encode()))
case("bad_symbol", "reject", ("bad_symbol",), row=2, column="证券代码")(
    lambda d: (d / W).write_bytes(text(TRADES_ZH, [trade(symbol="ABC123")]).encode()))
case("symbol_lost_zeros", "reject", ("bad_symbol",), row=2)(lambda d: (d / W).write_bytes(text(TRADES_ZH, [trade(symbol="1")]).encode()))
case("unknown_symbol", "reject", ("unknown_symbol",), row=2)(
    lambda d: (d / W).write_bytes(text(TRADES_ZH, [trade(symbol="688999.SH")]).encode()))
case("unknown_client", "reject", ("unknown_client",), row=2, column="客户号")(
    lambda d: (d / W).write_bytes(text(TRADES_ZH, [trade(client_id="C9999")]).encode()))
case("duplicate_trade_id", "reject", ("duplicate_key",), row=3)(
    lambda d: (d / W).write_bytes(text(TRADES_ZH, [T1, trade(T2, trade_id="T1001")]).encode()))
case("identical_duplicate_rows", "accept", loaded=2, duplicates=1)(
    lambda d: (d / W).write_bytes(text(TRADES_ZH, [T1, T2, T1]).encode()))
# T0002 is C0002's trade of 2024-01-31: the same id for another client is not a correction (ids not unique).
case("trade_id_loaded_other_day", "reject", ("key_other_client",), row=2)(
    lambda d: (d / W).write_bytes(text(TRADES_ZH, [trade(trade_id="T0002")]).encode()))
# T0003 is C0001's trade of 2024-01-31: the same id for the same client corrects it (day, quantity, amount).
case("trade_id_corrected", "accept", loaded=1, symbols=["000001.SZ"])(
    lambda d: (d / W).write_bytes(text(TRADES_ZH, [trade(trade_id="T0003", symbol="000001.SZ", quantity="300",
                                                         price="9.50", amount="2850.00")]).encode()))
case("sell_more_than_held", "reject", ("oversell",), row=2)(
    lambda d: (d / W).write_bytes(text(TRADES_ZH, [trade(T2, quantity="5000", amount="47500.00")]).encode()))
case("bad_side", "reject", ("bad_value",), row=2, column="买卖方向")(
    lambda d: (d / W).write_bytes(text(TRADES_ZH, [trade(side="X")]).encode()))
case("side_in_chinese", "accept", loaded=2)(
    lambda d: (d / W).write_bytes(text(TRADES_ZH, [trade(side="买入"), trade(T2, side="卖出")]).encode("gbk")))
case("excel_mangled_trade_id", "reject", ("excel_number",), row=2)(
    lambda d: (d / W).write_bytes(text(TRADES_ZH, [trade(trade_id="1.23457E+11")]).encode()))

# --- clients: personal data --------------------------------------------------------------------------------
C = "clients.csv"
case("id_check_digit_wrong", "reject", ("bad_id_number",), row=2, column="证件号码", masked="110101199003071234")(
    lambda d: (d / C).write_bytes(text(CLIENTS_ZH, [client(证件号码="110101199003071234")]).encode("gbk")))
case("id_excel_mangled", "reject", ("excel_number",), row=2, column="证件号码")(
    lambda d: (d / C).write_bytes(text(CLIENTS_ZH, [client(证件号码="1.10101E+17")]).encode("gbk")))
case("id_legacy_15_digits", "accept", loaded=1)(
    lambda d: (d / C).write_bytes(text(CLIENTS_ZH, [client(证件号码="110101900307123")]).encode("gbk")))
case("phone_ten_digits", "reject", ("bad_phone",), row=2, column="手机号码", masked="1380000111")(
    lambda d: (d / C).write_bytes(text(CLIENTS_ZH, [client(手机号码="1380000111")]).encode("gbk")))
case("phone_with_prefix_and_spaces", "accept", loaded=1)(
    lambda d: (d / C).write_bytes(text(CLIENTS_ZH, [client(手机号码="+86 138-0000-1111")]).encode("gbk")))
case("formula_injection_name", "reject", ("formula_injection",), row=2, column="客户姓名")(
    lambda d: (d / C).write_bytes(text(CLIENTS_ZH, [client(客户姓名='=HYPERLINK("http://x.example","点我")')]).encode("gbk")))
case("field_of_10mb", "reject", ("too_long",), row=2, column="地区", runtime=True)(
    lambda d: (d / C).write_bytes(text(CLIENTS_ZH, [client(地区="北" * (5 << 20))]).encode("gbk")))
case("control_chars_in_name", "reject", ("control_chars",), row=2, column="客户姓名")(
    lambda d: (d / C).write_bytes(text(CLIENTS_ZH, [client(客户姓名="张三\n2024-01-01 INFO 伪造日志")]).encode("gbk")))
case("unknown_advisor", "reject", ("unknown_advisor",), row=2, column="投资顾问编号")(
    lambda d: (d / C).write_bytes(text(CLIENTS_ZH, [client(投资顾问编号="A99")]).encode("gbk")))
case("bad_risk_level", "reject", ("bad_value",), row=2, column="风险等级")(
    lambda d: (d / C).write_bytes(text(CLIENTS_ZH, [client(风险等级="C9")]).encode("gbk")))
case("bad_boolean", "reject", ("bad_boolean",), row=2, column="拒绝联系")(
    lambda d: (d / C).write_bytes(text(CLIENTS_ZH, [client(拒绝联系="也许")]).encode("gbk")))
case("institution_credit_code", "accept", loaded=1)(
    lambda d: (d / C).write_bytes(text(CLIENTS_ZH, [client(客户类型="机构", 证件号码="91110000600001234X",
                                                           手机号码="")]).encode("gbk")))

# --- Excel -------------------------------------------------------------------------------------------------
XC = "clients.xlsx"
case("xlsx_valid", "accept", loaded=2)(lambda d: xlsx(d / XC, {"客户": [CLIENTS_ZH, client(), client(客户号="C0102")]}))
case("xlsx_date_cells", "accept", loaded=1)(lambda d: xlsx(d / XC, {"客户": [CLIENTS_ZH, _with_dates(client())]}))
case("xlsx_merged_cells", "reject", ("merged_cells",))(
    lambda d: xlsx(d / XC, {"客户": [CLIENTS_ZH, client(), client(客户号="C0102")]}, merge="B2:B3"))
case("xlsx_several_sheets", "reject", ("several_sheets",))(
    lambda d: xlsx(d / XC, {"客户": [CLIENTS_ZH, client()], "备注": [["说明"], ["另一张表"]]}))
case("xlsx_formulas", "reject", ("formula",))(
    lambda d: xlsx(d / XC, {"客户": [CLIENTS_ZH, client(客户姓名="=CONCAT(\"张\",\"三\")")]}))
case("xlsx_numeric_id", "reject", ("excel_number",), row=2, column="证件号码")(
    lambda d: xlsx(d / XC, {"客户": [CLIENTS_ZH, client(证件号码=110101199003071233)]}))
case("xlsx_header_only", "accept", loaded=0)(lambda d: xlsx(d / XC, {"客户": [CLIENTS_ZH]}))
case("xlsx_not_a_workbook", "reject", ("unsupported_type",))(lambda d: (d / XC).write_bytes(text(CLIENTS_ZH, [client()]).encode()))
case("xlsx_truncated", "reject", ("unreadable",))(lambda d: _truncated_xlsx(d / XC))
case("xlsx_zip_bomb", "reject", ("zip_bomb",))(lambda d: _zip_bomb(d / XC))


def _with_dates(row: list):
    import datetime as dt

    row = list(row)
    row[CLIENTS_ZH.index("出生日期")] = dt.date(1990, 3, 7)
    row[CLIENTS_ZH.index("开户日期")] = dt.datetime(2015, 1, 5)
    return row


def _truncated_xlsx(path: Path) -> None:
    xlsx(path, {"客户": [CLIENTS_ZH, client()]})
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _zip_bomb(path: Path) -> None:
    """A small file that would unpack to 64 MiB of XML: refused from the zip directory, never inflated."""
    xlsx(path, {"客户": [CLIENTS_ZH, client()]})
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("xl/worksheets/sheet2.xml", b"<x>" + b" " * (64 << 20) + b"</x>")


def main() -> None:
    shutil.rmtree(CORPUS, ignore_errors=True)
    manifest = []
    for c in CASES:
        if not c.get("runtime"):      # 10 MB of bytes stay out of the repository; the test builds them
            d = CORPUS / c["name"]
            d.mkdir(parents=True)
            c["build"](d)
        manifest.append({k: v for k, v in c.items() if k != "build" and v not in (None, [])})
    (CORPUS / "MANIFEST.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n")
    print(f"{len(CASES)} cases written to {CORPUS}")


if __name__ == "__main__":
    main()
