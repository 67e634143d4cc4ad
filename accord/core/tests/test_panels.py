from __future__ import annotations

import pytest
from django.template import engines
from django.test import RequestFactory

from accord.core import panels


@pytest.fixture
def clean_registry():
    saved = dict(panels._panels)
    panels._panels.clear()
    yield
    panels._panels.clear()
    panels._panels.update(saved)


def test_panels_render_in_order_skip_none_and_escape(clean_registry, tmp_path, settings):
    (tmp_path / "p.html").write_text("<section>{{ title }} for {{ panel_obj }}</section>")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [str(tmp_path), *settings.TEMPLATES[0].get("DIRS", [])]}
    ]
    panels.register("deal", "b", template="p.html", context=lambda r, o: {"title": "B"}, order=20)
    panels.register("deal", "a", template="p.html", context=lambda r, o: {"title": "<A>"}, order=10)
    panels.register("deal", "hidden", template="p.html", context=lambda r, o: None)
    panels.register("contact", "other", template="p.html", context=lambda r, o: {"title": "X"})
    tpl = engines["django"].from_string('{% load accord_panels %}{% panels "deal" obj %}')
    html = tpl.render({"obj": "Deal 1"}, request=RequestFactory().get("/"))
    assert html == "<section>&lt;A&gt; for Deal 1</section><section>B for Deal 1</section>"
