"""The market page and a campaign's {regime} call the day's regime by the same words."""

from __future__ import annotations

from django.urls import reverse

from panhuo.campaigns.selectors import market_regime_zh
from panhuo.clients.models import MarketDay
from panhuo.market.vocabulary import REGIME_ZH
from panhuo.outreach.scripts import render_script


def test_the_page_and_the_scripts_use_one_vocabulary(client, cast, market_ran):
    day = MarketDay.objects.get()
    words = REGIME_ZH[day.regime]                                    # e.g. 盘整市道
    client.force_login(cast.users["bob"])
    client.cookies["django_language"] = "zh-hans"
    html = client.get(reverse("marketweb:market")).content.decode()
    assert f'class="seg {day.regime} on">{words}</span>' in html     # the gauge
    assert f'regime-{day.regime}">{words}</span>' in html            # the figure beside it
    assert render_script("当前为{regime}。", regime=market_regime_zh()) == f"当前为{words}。"
    client.cookies["django_language"] = "en"
    assert f'class="seg {day.regime} on">{day.regime}</span>' in client.get(reverse("marketweb:market")).content.decode()
