"""Interfaces the shared core defines so that feature apps contribute to each other's pages without importing
each other (the layers contract forbids a feature app to import a sibling).

- Task scripts: the Today page shows each task's script (话术). A feature that creates tasks of its own (campaigns)
  registers a provider that returns the script for those tasks; the workbench asks the registry, never the
  feature. Tasks no provider claims get the workbench's own script for their kind (docs/architecture.md,
  "Which script does the advisor see for this task").
- Client panels: the client 360 page shows sections other features own (the market pages' switch suggestion).
  A feature registers a panel provider; the workbench renders whatever panels the registry returns.
- Today panels: the Today page shows small sections other features own (the advisor's activity targets).
- Attributions: the appraisal's scorecard credits each advisor with the clients a campaign's measured lift made
  incremental; the campaigns app, which owns members and outcomes, registers the provider.
- Demo seeders: `panhuo demo` builds a simulated branch, then asks each feature to add the records that make its
  pages show what they are for (months of contacts, a finished campaign, events, courses). A seeder must be
  deterministic for a given seed and go through the feature's own services, so the demo shows real behaviour.

Providers register in their AppConfig.ready(), so the registry is complete once Django is set up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

TaskScriptProvider = Callable[..., dict[int, str]]          # (*, tasks) -> {task pk: script text}
ClientPanelProvider = Callable[..., "ClientPanel | None"]   # (*, client, user) -> a panel, or None to show nothing

_task_script_providers: dict[str, TaskScriptProvider] = {}
_client_panel_providers: dict[str, tuple[int, ClientPanelProvider]] = {}
TodayPanelProvider = Callable[..., "ClientPanel | None"]    # (*, user) -> a panel, or None to show nothing
AttributionProvider = Callable[..., list[dict]]             # (*, branch_id, start, end) -> rows, see attributions
_today_panel_providers: dict[str, TodayPanelProvider] = {}
_attribution_providers: dict[str, AttributionProvider] = {}
DemoSeeder = Callable[..., "str | None"]                    # (*, as_of, seed) -> a one-line summary, or None
_demo_seeders: dict[str, tuple[int, DemoSeeder]] = {}


@dataclass(frozen=True)
class ClientPanel:
    """One section of the client 360 page: the template that draws it and that template's context."""
    name: str
    template: str
    context: dict


def register_task_scripts(name: str, provider: TaskScriptProvider) -> None:
    """Register (or replace, so a reloaded app does not register twice) a task-script provider under `name`."""
    _task_script_providers[name] = provider


def task_scripts(*, tasks: Iterable) -> dict[int, str]:
    """{task pk: script} from every provider; a task two providers claim keeps the first registered one's."""
    tasks = list(tasks)
    out: dict[int, str] = {}
    for provider in _task_script_providers.values():
        for pk, text in provider(tasks=tasks).items():
            out.setdefault(pk, text)
    return out


def register_client_panel(name: str, provider: ClientPanelProvider, *, order: int = 100) -> None:
    """Register (or replace) a client 360 panel provider; panels are shown by `order`, then name."""
    _client_panel_providers[name] = (order, provider)


def client_panels(*, client, user) -> list[ClientPanel]:
    """The panels to show on `client`'s 360 page for `user`; the caller has resolved the client through the
    access rule, so a provider never looks the client up again."""
    panels = []
    for _, name in sorted((order, name) for name, (order, _) in _client_panel_providers.items()):
        panel = _client_panel_providers[name][1](client=client, user=user)
        if panel is not None:
            panels.append(panel)
    return panels


def register_today_panel(name: str, provider: TodayPanelProvider) -> None:
    """Register (or replace) a Today panel provider; panels are shown by name."""
    _today_panel_providers[name] = provider


def today_panels(*, user) -> list[ClientPanel]:
    """The panels to show on `user`'s Today page."""
    panels = (_today_panel_providers[name](user=user) for name in sorted(_today_panel_providers))
    return [p for p in panels if p is not None]


def register_attribution(name: str, provider: AttributionProvider) -> None:
    """Register (or replace) a provider of measured outcomes credited to advisors."""
    _attribution_providers[name] = provider


def attributions(*, branch_id: int, start, end) -> list[dict]:
    """Every provider's rows for the branch's advisors over the measurements that closed in [start, end]: dicts
    with advisor (pk), source (e.g. the campaign's name), incremental (clients credited), treated,
    commission_based (bool: the measure rewards trading, so C1-C2 clients never count and the item is capped)."""
    return [row for name in sorted(_attribution_providers)
            for row in _attribution_providers[name](branch_id=branch_id, start=start, end=end)]


def register_demo_seeder(name: str, seeder: DemoSeeder, *, order: int = 100) -> None:
    """Register (or replace) a demo seeder; `panhuo demo` runs them by `order`, then name, after the daily run."""
    _demo_seeders[name] = (order, seeder)


def demo_seeders() -> list[tuple[str, DemoSeeder]]:
    """(name, seeder) in the order `panhuo demo` runs them."""
    return [(name, _demo_seeders[name][1])
            for _, name in sorted((order, name) for name, (order, _) in _demo_seeders.items())]
