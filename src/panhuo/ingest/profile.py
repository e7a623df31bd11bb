"""Source profiles: declarative TOML files that map a core system's exports onto the canonical tables.

A profile names, per file, the canonical table, the source header of each canonical column (or several
accepted spellings), and value maps (买卖标志 1/2 → B/S). Adding a firm's profile is adding one TOML file to
`ingest/profiles/` (or a folder named in PANHUO_PROFILES); docs/how-to-add-a-source-profile.md is the checklist.
"""

from __future__ import annotations

import fnmatch
import os
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from panhuo.warehouse.schema import TABLES, Table

BUILTIN_DIR = Path(__file__).resolve().parent / "profiles"
DEFAULT_DATE_FORMATS = ("%Y%m%d", "%Y-%m-%d", "%Y/%m/%d")
DEFAULT_TIMESTAMP_FORMATS = ("%Y%m%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S",
                             "%Y%m%d%H%M%S")
DEFAULT_MARKETS = {"SH": "SH", "SZ": "SZ", "BJ": "BJ", "1": "SH", "2": "SZ", "3": "BJ",
                   "上海": "SH", "深圳": "SZ", "北京": "BJ", "沪": "SH", "深": "SZ", "京": "BJ",
                   "上交所": "SH", "深交所": "SZ", "北交所": "BJ"}
# Tables of dated facts, the only ones a file can replace by branch and day (`full_day`).
FACT_TABLES = ("trades", "transfers", "daily_assets", "positions")
DEFAULT_BOOLEANS = {"true": ("是", "Y", "1", "TRUE", "T", "YES"), "false": ("否", "N", "0", "FALSE", "F", "NO")}

# Canonical values each coded column accepts after mapping (DESIGN.md, canonical data).
DOMAINS: dict[str, tuple[str, ...]] = {
    "side": ("B", "S"),
    "channel": ("online", "counter", "phone"),
    "direction": ("in", "out"),
    "client_type": ("individual", "institution"),
    "risk_level": ("C1", "C2", "C3", "C4", "C5"),
    "level": ("junior", "senior", "principal"),
    "exchange": ("SH", "SZ", "BJ"),
    "board": ("main", "chinext", "star", "bse"),
    "status": ("active", "frozen", "closed"),
}


class ProfileError(ValueError):
    pass


@dataclass(frozen=True)
class SymbolSource:
    """A symbol built from a code column and an optional market column (证券代码 + 市场 → 600000.SH)."""

    code: str
    market: str | None = None


@dataclass
class FileSpec:
    table: str
    patterns: tuple[str, ...]
    # canonical column -> accepted source headers (first is the preferred spelling), or a SymbolSource
    columns: dict[str, tuple[str, ...] | SymbolSource]
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    sheet: str | None = None
    # A full-day extract: each file holds every row of its branches for its days, so a stored row of those
    # branches and days that the file lacks is removed (kept in the batch's recoverable record). Off, a fact
    # file only adds and corrects rows by key.
    full_day: bool = False

    @property
    def schema(self) -> Table:
        return TABLES[self.table]

    def matches(self, filename: str) -> bool:
        name = unicodedata.normalize("NFC", filename).lower()
        return any(fnmatch.fnmatchcase(name, unicodedata.normalize("NFC", p).lower()) for p in self.patterns)


@dataclass
class Profile:
    name: str
    description: str
    files: list[FileSpec]
    date_formats: tuple[str, ...] = DEFAULT_DATE_FORMATS
    timestamp_formats: tuple[str, ...] = DEFAULT_TIMESTAMP_FORMATS
    markets: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_MARKETS))
    booleans: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(DEFAULT_BOOLEANS))
    branch_names: dict[str, str] = field(default_factory=dict)

    def spec_for(self, filename: str) -> FileSpec | None:
        for spec in self.files:
            if spec.matches(filename):
                return spec
        return None


def profile_dirs() -> list[Path]:
    extra = [Path(p) for p in os.environ.get("PANHUO_PROFILES", "").split(os.pathsep) if p]
    return [*extra, BUILTIN_DIR]


def available_profiles() -> list[str]:
    names = {p.stem for d in profile_dirs() if d.is_dir() for p in d.glob("*.toml")}
    return sorted(names)


def load_profile(name: str) -> Profile:
    if not name.replace("_", "").replace("-", "").isalnum():
        raise ProfileError(f"invalid profile name {name!r}")
    for d in profile_dirs():
        path = d / f"{name}.toml"
        if path.is_file():
            with path.open("rb") as fh:
                return parse_profile(tomllib.load(fh), source=str(path))
    raise ProfileError(f"unknown profile {name!r}; available: {', '.join(available_profiles())}")


def _headers(value, where: str) -> tuple[str, ...] | SymbolSource:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return tuple(value)
    if isinstance(value, dict) and isinstance(value.get("code"), str):
        return SymbolSource(value["code"], value.get("market"))
    raise ProfileError(f"{where}: a column maps to a header, a list of headers or {{code=…, market=…}}")


def _values(raw: dict, where: str) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for column, mapping in raw.items():
        if not isinstance(mapping, dict):
            raise ProfileError(f"{where}: values.{column} must be a table of source value = canonical value")
        out[column] = {str(k): str(v) for k, v in mapping.items()}
        allowed = DOMAINS.get(column)
        bad = [v for v in out[column].values() if allowed and v not in allowed]
        if bad:
            raise ProfileError(f"{where}: values.{column} maps to {bad}, allowed {list(allowed)}")
    return out


def parse_profile(data: dict, *, source: str = "<profile>") -> Profile:
    """Check a profile up front, so a typo fails when the profile loads, not halfway through a batch."""
    name = data.get("name")
    if not isinstance(name, str):
        raise ProfileError(f"{source}: `name` is required")
    shared_values = _values(data.get("values", {}), source)
    files: list[FileSpec] = []
    if data.get("schema_headers"):
        # The generic profile: every canonical table, found by its name, headers canonical or Chinese.
        for table in TABLES.values():
            patterns = tuple(f"{stem}.{ext}" for stem in (table.name, table.zh) for ext in ("csv", "xlsx", "xls"))
            columns = {c.name: (c.zh, c.name) for c in table.columns}
            values = {c: m for c, m in shared_values.items() if c in table.column_names}
            files.append(FileSpec(table.name, patterns, columns, values))
    for i, raw in enumerate(data.get("file", [])):
        where = f"{source} file #{i + 1}"
        table = raw.get("table")
        if table not in TABLES:
            raise ProfileError(f"{where}: unknown table {table!r}; tables: {', '.join(TABLES)}")
        patterns = raw.get("names")
        if not patterns or not all(isinstance(p, str) for p in patterns):
            raise ProfileError(f"{where}: `names` must list file names or patterns")
        columns = {col: _headers(v, where) for col, v in raw.get("columns", {}).items()}
        unknown = set(columns) - set(TABLES[table].column_names)
        if unknown:
            raise ProfileError(f"{where}: columns not in table {table}: {sorted(unknown)}")
        missing = [c.name for c in TABLES[table].columns if not c.nullable and c.name not in columns]
        if missing:
            raise ProfileError(f"{where}: required columns of {table} not mapped: {missing}")
        values = {c: m for c, m in shared_values.items() if c in columns}
        values.update(_values(raw.get("values", {}), where))
        full_day = raw.get("full_day", False)
        if not isinstance(full_day, bool) or (full_day and table not in FACT_TABLES):
            raise ProfileError(f"{where}: `full_day` is true or false, and only for {', '.join(FACT_TABLES)}")
        files.append(FileSpec(table, tuple(patterns), columns, values, raw.get("sheet"), full_day))
    if not files:
        raise ProfileError(f"{source}: no files defined")
    markets = dict(DEFAULT_MARKETS)
    markets.update({str(k): str(v) for k, v in data.get("markets", {}).items()})
    if set(markets.values()) - set(DOMAINS["exchange"]):
        raise ProfileError(f"{source}: markets must map to SH, SZ or BJ")
    booleans = dict(DEFAULT_BOOLEANS)
    for key in ("true", "false"):
        if key in data.get("booleans", {}):
            booleans[key] = tuple(str(v) for v in data["booleans"][key])
    return Profile(
        name=name, description=data.get("description", ""), files=files,
        date_formats=tuple(data.get("date_formats", DEFAULT_DATE_FORMATS)),
        timestamp_formats=tuple(data.get("timestamp_formats", DEFAULT_TIMESTAMP_FORMATS)),
        markets=markets, booleans=booleans, branch_names=dict(data.get("branch_names", {})),
    )
