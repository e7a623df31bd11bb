"""The trading models of the source material, by name. Each builds a Screen (signals + reasons) over a Panel."""

from __future__ import annotations

from panhuo.market.models import chip_concentration, dark_horse, high_sell_low_buy, rebound, sector_leader
from panhuo.market.models.base import Model, Screen

MODELS: dict[str, Model] = {m.MODEL.name: m.MODEL for m in (
    high_sell_low_buy, rebound, chip_concentration, sector_leader, dark_horse)}


def get_model(name: str) -> Model:
    try:
        return MODELS[name]
    except KeyError:
        raise KeyError(f"unknown model {name!r}; known: {', '.join(MODELS)}") from None


def models_for(regime: str) -> list[Model]:
    return [m for m in MODELS.values() if m.regime == regime]


__all__ = ["MODELS", "Model", "Screen", "get_model", "models_for"]
