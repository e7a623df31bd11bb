"""SQL text the import writes for DuckDB: quoted literals and the per-value rules' expression.

One small module below both normalise (which evaluates the rules in its parse pass) and validate (which writes
them), so neither imports the other.
"""

from __future__ import annotations


def sql_str(value: str) -> str:
    """A SQL string literal: 'it''s'."""
    return "'" + value.replace("'", "''") + "'"


FAILS_NULL = "NULL::STRUCT(col VARCHAR, value VARCHAR, code VARCHAR, detail VARCHAR)[]"


class Checks:
    """Per-value rules, evaluated in normalise's single parse pass where the source text r_<col> and the parsed
    value <col> are both at hand: `fails_expr` is NULL for a row breaking no rule (one OR of the rules), else
    the list of {col, value, code, detail} it breaks, unnested into `bad` by `validate.collect`."""

    def __init__(self) -> None:
        self.rules: list[tuple[str, str, str, str]] = []     # (column, code, condition, detail SQL)

    def add(self, col: str, code: str, where: str, detail: str = "''") -> None:
        self.rules.append((col, code, where, detail))

    def any_expr(self) -> str:
        """True for a row breaking any rule (NULL or false otherwise)."""
        return " OR ".join(f"({w})" for _, _, w, _ in self.rules) or "false"

    def fails_expr(self) -> str:
        empty = FAILS_NULL
        if not self.rules:
            return empty
        # CASE WHEN takes a NULL condition as false, and an OR is true as soon as one rule is, so no rule needs
        # a coalesce(..., false) around it (which cost 45% of the row filter on 2M trades).
        items = ", ".join(
            f"CASE WHEN {w} THEN {{'col': {sql_str(c)}, 'value': r_{c}::VARCHAR, "
            f"'code': {sql_str(code)}, 'detail': ({d})::VARCHAR}} END" for c, code, w, d in self.rules)
        any_rule = self.any_expr()
        return f"(CASE WHEN {any_rule} THEN list_filter([{items}], lambda x: x IS NOT NULL) ELSE {empty} END)"
