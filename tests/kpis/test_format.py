from panhuo.kpis.format import figure_text


def test_figures_are_written_as_staff_write_them():
    assert figure_text(1_234_567, "count") == "1,234,567"
    assert figure_text(0.4187, "ratio") == "41.9%"
    assert figure_text(33.333, "score") == "33" and figure_text(-12.6, "score") == "-13"   # NPS: a whole score
    assert figure_text(1.254, "number") == "1.25"
    assert figure_text(None, "amount") == "—"
    assert "万" in figure_text(85_000, "amount", lang="zh-hans")
