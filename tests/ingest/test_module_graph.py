"""The import's modules form no circle: each can be read (and tested) knowing only the ones below it."""

from __future__ import annotations

import grimp


def test_no_module_of_the_import_imports_one_that_imports_it_back():
    graph = grimp.build_graph("panhuo", cache_dir=None)
    modules = sorted(m for m in graph.modules if m.startswith("panhuo.ingest."))
    circles = [(a, b) for a in modules for b in graph.find_modules_directly_imported_by(a)
               if b.startswith("panhuo.ingest.") and graph.find_shortest_chain(importer=b, imported=a)]
    assert circles == []
