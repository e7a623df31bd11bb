"""Today's task rows as HTML, written in Python.

Today shows 40 rows on every visit, each some 30 template nodes (links, labels, the quick actions); Django's
template engine costs several microseconds a node, which made the rows half the page's CPU. format_html escapes
every value as the template did (tests/workbench/test_today_rows.py checks what a row shows, and the page's
HTML was compared byte for byte with the template's before this replaced it).
"""

from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

_ROW = ('\n  <tr id="task-{key}" class="task kind-{kind}{overdue}">\n'
        '    <td class="who"><a href="{client_url}">{name}</a> <span class="muted small">{client_id}</span>\n'
        '      <br><span class="small">{phone} · {assets}</span></td>\n'
        '    <td><span class="tag kind-{kind}">{kind_label}</span>{more_kinds}{snoozed}</td>\n'
        '    <td>{reason}{more_reasons}\n'
        '      <details class="script"><summary>{script_label}</summary><p>{script}</p></details></td>\n'
        '    <td class="nowrap due">{due}{late}</td>\n'
        '    <td class="actions">\n      {actions}\n    </td>\n'
        '  </tr>\n'
        '  <tr class="slot"><td colspan="5" id="slot-{key}"></td></tr>\n  ')

_ACTIONS = ('\n      <button type="button" class="primary small log-contact" hx-get="{contact_url}" '
            'hx-target="#slot-{key}">{log_label}</button>\n'
            '      <button type="button" class="small act-done" hx-get="{contact_url}" hx-target="#slot-{key}" '
            'title="{done_hint}">{done_label}</button>\n'
            '      <form hx-post="{action_url}" hx-target="#task-{key}" hx-swap="outerHTML" method="post" '
            'action="{action_url}" class="inline"><input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">'
            '<input type="hidden" name="days" value="3">\n'
            '        {buttons}\n'
            '      </form>\n      ')


def task_rows_html(rows: list[dict], *, is_advisor: bool, csrf_token: str, action_buttons: SafeString) -> None:
    """Set row["html"] on each of `rows` (from today._task_rows): the row and the slot below it where the
    contact form opens."""
    labels = {"script_label": _("Suggested script"), "log_label": _("Log contact"), "done_label": _("Done"),
              "done_hint": _("A task is done with its outcome: choose it in the contact form.")}
    snoozed = format_html(' <span class="muted small">{}</span>', _("Snoozed"))
    for row in rows:
        late = row["late"]
        if is_advisor:
            actions = format_html(_ACTIONS, contact_url=row["contact_url"], key=row["key"],
                                  action_url=row["action_url"], csrf=csrf_token, buttons=action_buttons,
                                  log_label=labels["log_label"], done_label=labels["done_label"],
                                  done_hint=labels["done_hint"])
        else:
            actions = format_html('<span class="muted small">{}</span>', row["advisor"])
        row["html"] = format_html(
            _ROW, key=row["key"], kind=row["kind"], overdue=mark_safe(" overdue") if late else "",
            client_url=row["client_url"], name=row["name"], client_id=row["client_id"],
            phone=row["phone"] or "—", assets=row["assets"], kind_label=row["kind_label"],
            more_kinds=format_html_join("", ' <span class="tag kind-{}">{}</span>',
                                        ((m["kind"], m["kind_label"]) for m in row["more"])),
            snoozed=snoozed if row["snoozed"] else "",
            reason=row["reason"],
            more_reasons=format_html_join("", "<br>{}", ((m["reason"],) for m in row["more"])),
            script_label=labels["script_label"], script=row["script"], due=row["due"],
            late=format_html('<br><span class="late">{}</span>',
                             ngettext("%(n)s day late", "%(n)s days late", late) % {"n": late}) if late else "",
            actions=actions)
