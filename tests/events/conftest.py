from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone


def at(days: int, hour: int = 14) -> datetime:
    """Local time `days` from today at `hour`:00."""
    return timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=days), time(hour)))


MATERIALS = "一、认识风险\n二、仓位管理\n三、识别非法荐股\n本课程不推介任何产品。"


def make_event(cast, *, days: int = 3, capacity: int | None = 10, kind: str = "education",
               materials: str = MATERIALS, approve: bool = True, title: str = "投资者教育：认识风险"):
    from panhuo.events import services

    director = cast.users["director_a"]
    event = services.event_create(user=director, kind=kind, title=title, topic="风险", starts_at=at(days, 14),
                                  ends_at=at(days, 16), venue="客户体验中心", online_url="", capacity=capacity,
                                  speaker="讲师", materials=materials)
    if approve and materials:
        services.materials_submit(user=director, event=event)
        services.materials_decide(user=cast.users["compliance"], event=event, approve=True)
        event.refresh_from_db()
    return event
