"""Interfaces the shared core defines so that feature apps contribute to each other's pages without importing
each other (the layers contract forbids a feature app to import a sibling).

- Task scripts: the Today page shows each task's script (话术). A feature that creates tasks of its own (campaigns)
  registers a provider that returns the script for those tasks; the workbench asks the registry, never the
  feature. Tasks no provider claims get the workbench's own script for their kind (docs/architecture.md,
  "Which script does the advisor see for this task").
- Client panels: the client 360 page shows sections other features own (the market pages' switch suggestion).
  A feature registers a panel provider; the workbench renders whatever panels the registry returns.

Providers register in their AppConfig.ready(), so the registry is complete once Django is set up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

TaskScriptProvider = Callable[..., dict[int, str]]          # (*, tasks) -> {task pk: script text}
ClientPanelProvider = Callable[..., "ClientPanel | None"]   # (*, client, user) -> a panel, or None to show nothing

_task_script_providers: dict[str, TaskScriptProvider] = {}
_client_panel_providers: dict[str, tuple[int, ClientPanelProvider]] = {}


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
