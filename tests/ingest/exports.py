"""Small exports in the simulator's agreed format (GB18030 CSV, \\r\\n, YYYYMMDD, 是/否), written by tests."""

from __future__ import annotations

import csv
import io
from pathlib import Path

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(first17: str) -> str:
    """A resident ID with a correct GB 11643 check digit."""
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return first17 + "10X98765432"[total % 11]


def write_csv(path: Path, header: list[str], rows: list[list], *, encoding: str = "gb18030",
              newline: str = "\r\n") -> Path:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=newline)
    w.writerow(header)
    w.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


CLIENTS_H = ["客户号", "营业部代码", "客户姓名", "证件号码", "手机号码", "性别", "出生日期", "地区", "开户日期",
             "客户类型", "风险等级", "风险测评日期", "投资顾问编号", "拒绝联系"]
ADVISORS_H = ["投资顾问编号", "姓名", "级别", "地区", "服务容量", "专长", "入职日期", "在职"]
INSTR_H = ["证券代码", "市场", "证券名称", "板块", "行业", "上市日期", "是否ST"]
BARS_H = ["证券代码", "市场", "交易日期", "开盘价", "最高价", "最低价", "收盘价", "前收盘价", "成交量", "成交额", "换手率",
          "复权因子"]
TRADES_H = ["成交编号", "客户号", "成交日期", "证券代码", "市场", "买卖标志", "成交数量", "成交价格", "成交金额", "佣金",
            "印花税", "过户费", "委托方式"]
TRANSFERS_H = ["流水号", "客户号", "转账时间", "转账方向", "发生金额", "银行"]
ASSETS_H = ["客户号", "日期", "资金余额", "证券市值", "总资产", "当日净转入"]
POSITIONS_H = ["日期", "客户号", "证券代码", "市场", "持仓数量", "成本价", "收盘价", "市值"]


def clients_rows() -> list[list]:
    return [
        ["C0001", "B001", "张三", id_number("11010119900307123"), "13800001111", "男", "19900307", "北京",
         "20150105", "个人", "C3", "20230101", "A01", "否"],
        ["C0002", "B001", "李𠮷", id_number("31010419851212456"), "13900002222", "女", "19851212", "上海",
         "20180610", "个人", "C4", "20230202", "A02", "否"],
        ["C0003", "B001", "王䶮", id_number("44030519700101789"), "13700003333", "男", "19700101", "深圳",
         "20200301", "个人", "", "", "", "是"],
        ["C0004", "B001", "北京某投资有限公司", "91110000600001234X", "", "", "", "北京", "20190909", "机构", "C5",
         "20220505", "A01", "否"],
    ]


def simulator_export(folder: Path, *, trade_day: str = "20240131", trades: list[list] | None = None) -> Path:
    """A consistent, valid export: 4 clients, 2 advisors, 3 instruments, trades, transfers, assets, positions."""
    d = folder / "export"
    write_csv(d / "客户资料.csv", CLIENTS_H, clients_rows())
    write_csv(d / "投资顾问.csv", ADVISORS_H, [
        ["A01", "艾丽", "高级", "北京", "300", "科技股", "20150101", "是"],
        ["A02", "鲍勃", "初级", "上海", "200", "", "20200101", "是"]])
    write_csv(d / "证券信息.csv", INSTR_H, [
        ["600000", "1", "浦发银行", "主板", "银行", "19991110", "否"],
        ["000001", "2", "平安银行", "主板", "银行", "19910403", "否"],
        ["300750", "2", "宁德时代", "创业板", "电池", "20180611", "否"]])
    write_csv(d / "日线行情.csv", BARS_H, [
        ["600000", "1", "20240130", "7.00", "7.10", "6.95", "7.05", "7.00", "1000000", "7050000.00", "0.5", "1.0"],
        ["000001", "1", "20240130", "2900", "2950", "2880", "2930", "2900", "300000000", "350000000000.00", "", ""]])
    write_csv(d / "持仓.csv", POSITIONS_H, [
        ["20240130", "C0001", "600000", "1", "1000", "6.80", "7.05", "7050.00"],
        ["20240130", "C0002", "000001", "2", "500", "10.00", "9.50", "4750.00"]])
    write_csv(d / "成交明细.csv", TRADES_H, trades if trades is not None else [
        ["T0001", "C0001", trade_day, "600000", "1", "2", "500", "7.10", "3550.00", "5.00", "1.78", "0.04", "网上"],
        ["T0002", "C0002", trade_day, "300750", "2", "1", "100", "160.00", "16000.00", "4.80", "0.00", "0.16", "柜台"],
        ["T0003", "C0001", trade_day, "000001", "2", "1", "200", "9.60", "1920.00", "5.00", "0.00", "0.02", "电话"]])
    write_csv(d / "银证转账.csv", TRANSFERS_H, [
        ["Z0001", "C0001", f"{trade_day} 09:15:00", "银行转证券", "10000.00", "工商银行"],
        ["Z0002", "C0002", f"{trade_day} 14:01:30", "证券转银行", "2500.50", "招商银行"]])
    write_csv(d / "日终资产.csv", ASSETS_H, [
        ["C0001", trade_day, "20000.00", "5460.00", "25460.00", "10000.00"],
        ["C0002", trade_day, "1000.00", "20750.00", "21750.00", "-2500.50"],
        ["C0003", trade_day, "500.00", "0.00", "500.00", "0.00"]])
    return d
