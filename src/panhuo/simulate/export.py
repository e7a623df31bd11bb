"""The back office's export files, written from the canonical Parquet tables (docs/simulator.md#export).

One GB18030 CSV per table under DIR/export/: Chinese headers, comma separated, CRLF line ends, fields quoted
only when needed, dates YYYYMMDD, money with two decimals, booleans 是/否, securities as a 6-digit code plus a
market number (1 上海, 2 深圳, 3 北京). GB18030 rather than GBK because client names hold characters that GBK
cannot encode; GB18030 is the superset branches actually receive. Pure-ASCII bodies are streamed as they are
(ASCII is the same in GB18030); only files with Chinese values are transcoded.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl

ENCODING = "gb18030"
MARKET_NO = {"SH": "1", "SZ": "2", "BJ": "3"}
YES_NO = {True: "是", False: "否"}
FILES = {
    "advisors": "投资顾问.csv", "clients": "客户资料.csv", "instruments": "证券信息.csv", "bars": "日线行情.csv",
    "trades": "成交明细.csv", "transfers": "银证转账.csv", "daily_assets": "日终资产.csv", "positions": "持仓.csv",
}


def fixed(col: str, decimals: int) -> pl.Expr:
    """A float as text with exactly `decimals` decimals (no exponent, no thousands separator)."""
    scale = 10**decimals
    scaled = (pl.col(col) * scale).round(0).cast(pl.Int64)
    whole = (scaled.abs() // scale).cast(pl.String)
    sign = pl.when(scaled < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    if decimals == 0:
        return pl.concat_str([sign, whole]).alias(col)
    frac = (scaled.abs() % scale).cast(pl.String).str.zfill(decimals)
    return pl.concat_str([sign, whole, pl.lit("."), frac]).alias(col)


def money(col: str) -> pl.Expr:
    """Money stays a float; every file is written with two decimals (values are already whole cents)."""
    return pl.col(col).round(2).alias(col)


def ymd(col: str) -> pl.Expr:
    return pl.col(col).dt.strftime("%Y%m%d").alias(col)


def yes_no(col: str) -> pl.Expr:
    return pl.when(pl.col(col)).then(pl.lit("是")).otherwise(pl.lit("否")).alias(col)


def code_market(col: str = "symbol") -> list[pl.Expr]:
    return [pl.col(col).str.slice(0, 6).alias("证券代码"),
            pl.col(col).str.slice(7, 2).replace_strict(MARKET_NO, default=None).alias("市场")]


def _mapped(col: str, mapping: dict[str, str]) -> pl.Expr:
    return pl.col(col).replace_strict(mapping, default=None).alias(col)


def _asset_dates(src: Path, recent_days: int | None) -> pl.Series | None:
    """Month ends plus the last `recent_days` dates: what a history extract of end-of-day assets holds."""
    if recent_days is None:
        return None
    dates = pl.scan_parquet(src / "daily_assets.parquet").select(pl.col("date").unique()).collect()["date"].sort()
    if dates.is_empty():
        return None
    recent = dates.tail(recent_days)
    month_ends = dates.to_frame().group_by(pl.col("date").dt.strftime("%Y%m").alias("month")).agg(pl.col("date").max())["date"]
    return pl.concat([recent, month_ends]).unique().sort()


def _frames(src: Path, recent_days: int | None) -> dict[str, pl.LazyFrame]:
    def scan(name: str) -> pl.LazyFrame:
        return pl.scan_parquet(src / f"{name}.parquet")

    keep = _asset_dates(src, recent_days)
    assets = scan("daily_assets") if keep is None else scan("daily_assets").filter(pl.col("date").is_in(keep.to_list()))

    return {
        "clients": scan("clients").select(
            pl.col("client_id").alias("客户号"), pl.col("branch_id").alias("营业部代码"),
            pl.col("name").alias("客户姓名"), pl.col("id_number").alias("证件号码"), pl.col("phone").alias("手机号码"),
            pl.col("gender").alias("性别"), ymd("birth_date").alias("出生日期"), pl.col("region").alias("地区"),
            ymd("open_date").alias("开户日期"),
            _mapped("client_type", {"individual": "个人", "institution": "机构"}).alias("客户类型"),
            pl.col("risk_level").alias("风险等级"), ymd("risk_assessed_on").alias("风险测评日期"),
            pl.col("advisor_id").alias("投资顾问编号"), yes_no("do_not_contact").alias("拒绝联系")),
        "advisors": scan("advisors").select(
            pl.col("advisor_id").alias("投资顾问编号"), pl.col("name").alias("姓名"),
            _mapped("level", {"junior": "初级", "senior": "高级", "principal": "首席"}).alias("级别"),
            pl.col("region").alias("地区"), pl.col("capacity").alias("服务容量"), pl.col("specialties").alias("专长"),
            ymd("hire_date").alias("入职日期"), yes_no("active").alias("在职")),
        "instruments": scan("instruments").select(
            *code_market(), pl.col("name").alias("证券名称"),
            _mapped("board", {"main": "主板", "chinext": "创业板", "star": "科创板", "bse": "北交所"}).alias("板块"),
            pl.col("industry").alias("行业"), ymd("list_date").alias("上市日期"), yes_no("is_st").alias("是否ST")),
        "bars": scan("bars").select(
            *code_market(), ymd("trade_date").alias("交易日期"),
            *[fixed(c, 3).alias(zh) for c, zh in (("open", "开盘价"), ("high", "最高价"), ("low", "最低价"),
                                                   ("close", "收盘价"), ("pre_close", "前收盘价"))],
            fixed("volume", 0).alias("成交量"), fixed("amount", 2).alias("成交额"),
            fixed("turnover_rate", 4).alias("换手率"), fixed("adj_factor", 4).alias("复权因子")),
        "trades": scan("trades").select(
            pl.col("trade_id").alias("成交编号"), pl.col("client_id").alias("客户号"),
            ymd("trade_date").alias("成交日期"), *code_market(),
            _mapped("side", {"B": "1", "S": "2"}).alias("买卖标志"), pl.col("quantity").alias("成交数量"),
            money("price").alias("成交价格"),
            *[money(c).alias(zh) for c, zh in (("amount", "成交金额"), ("commission", "佣金"),
                                                   ("stamp_duty", "印花税"), ("transfer_fee", "过户费"))],
            _mapped("channel", {"online": "网上", "counter": "柜台", "phone": "电话"}).alias("委托方式")),
        "transfers": scan("transfers").select(
            pl.col("transfer_id").alias("流水号"), pl.col("client_id").alias("客户号"),
            pl.col("transfer_time").dt.strftime("%Y%m%d %H:%M:%S").alias("转账时间"),
            _mapped("direction", {"in": "银行转证券", "out": "证券转银行"}).alias("转账方向"),
            money("amount").alias("发生金额"), pl.col("bank").alias("银行")),
        "daily_assets": assets.select(
            pl.col("client_id").alias("客户号"), ymd("date").alias("日期"),
            *[money(c).alias(zh) for c, zh in (("cash", "资金余额"), ("market_value", "证券市值"),
                                                   ("total_assets", "总资产"), ("net_transfer", "当日净转入"))]),
        "positions": scan("positions").select(
            ymd("as_of_date").alias("日期"), pl.col("client_id").alias("客户号"), *code_market(),
            pl.col("quantity").alias("持仓数量"), fixed("cost_price", 3).alias("成本价"),
            money("close_price").alias("收盘价"), money("market_value").alias("市值")),
    }


ASCII_BODIES = {"bars", "daily_assets", "positions"}   # codes, dates and numbers only


def write_export(src: Path, dest: Path | None = None, *, recent_asset_days: int | None = 60,
                 progress: Callable[[str, int, int], None] | None = None) -> Path:
    """Write DIR/export/*.csv from the Parquet tables in `src`; returns the export folder.

    日终资产 holds month ends plus the last `recent_asset_days` trading days (None: every row of the
    canonical table), as a history extract from a back office does; everything else is complete.
    """
    dest = Path(dest) if dest is not None else Path(src) / "export"
    dest.mkdir(parents=True, exist_ok=True)
    frames = _frames(Path(src), recent_asset_days)
    for i, (name, lf) in enumerate(frames.items()):
        if progress:
            progress("export", i, len(frames))
        _write_csv(lf, dest / FILES[name], ascii_body=name in ASCII_BODIES)
    if progress:
        progress("export", len(frames), len(frames))
    return dest


def _write_csv(lf: pl.LazyFrame, path: Path, *, ascii_body: bool) -> None:
    df = lf.collect()
    header = (",".join(df.columns) + "\r\n").encode(ENCODING)
    with path.open("wb") as fh:
        fh.write(header)
        step = 1_000_000
        for off in range(0, max(df.height, 1), step):
            part = df.slice(off, step)
            if part.height == 0:
                break
            body = part.write_csv(include_header=False, line_terminator="\r\n", quote_style="necessary",
                                  float_precision=2)
            fh.write(body.encode("ascii") if ascii_body else body.encode(ENCODING))
