import pytest


@pytest.fixture
def home(tmp_path, monkeypatch, cast):
    """The hand-written timeline (branch B001, advisor A01: the cast's Alice) in this test's warehouse."""
    from panhuo.warehouse import open_warehouse
    from tests.analytics import timeline

    monkeypatch.setenv("PANHUO_HOME", str(tmp_path))
    with open_warehouse() as wh:
        timeline.load(wh)
    return tmp_path
