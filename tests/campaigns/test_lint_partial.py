"""The script editor's live lint marks the blocked words, with the regulation as their title."""

from __future__ import annotations

from django.urls import reverse


def test_lint_partial_marks_the_blocked_words(client, branch_world):
    client.force_login(branch_world.users["director_a"])
    r = client.post(reverse("campaigns:lint"), {"script": "欢迎参加讲座，保证收益"})
    html = r.content.decode()
    assert '<mark title="《证券法》' in html and ">保证收益</mark>" in html
    assert "RET-PROMISE" not in html                    # staff read the rule's label, not its code
    assert "欢迎参加讲座" in html
