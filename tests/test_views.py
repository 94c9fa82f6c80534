"""The views templates see: a record's fields made plain when first read give the same view whatever is read first
and whatever way it is read (by name, whole, listed); a project's view notes what a document reads of it."""
from __future__ import annotations

from generator.model import Project
from generator.pipeline import evaluate
from generator.render.context import package_context
from generator.render.views import READS, Tracked, View
from packages import lizhou_input

LIZHOU = lizhou_input()
FIELDS = [name for name in Project.model_fields]


def _context():
    return package_context(evaluate(LIZHOU).results)


def test_a_view_lists_every_field_in_order_whatever_was_read_before():
    context = _context()
    project = context["projects"][2].project
    assert project.problems and project.name                   # two fields read first, out of order
    assert list(project) == FIELDS and len(project) == len(FIELDS)
    assert dict(project.items())["goal"] == project["goal"]


def test_the_same_data_gives_the_same_view_whatever_is_read_first():
    first, second = _context(), _context()
    _ = first["projects"][0].rows[0].indicator.target, first["report"].projects[0].suggestions
    assert repr(first["report"]) == repr(second["report"])
    assert first["projects"] == second["projects"] and hash(first["unit"]) == hash(second["unit"])


def test_an_object_reached_from_two_places_is_one_view():
    context = _context()
    assert context["projects"][0].project is context["report"].projects[0]
    assert context["listed_projects"][0].project is context["results"].projects[0].project
    assert isinstance(context["report"].projects[0], Tracked) and type(context["unit"]) is View


def test_a_project_view_notes_what_is_read_of_it():
    context = _context()
    item = context["projects"][1]
    reads: set[str] = set()
    token = READS.set(reads)
    try:
        _ = item.project.name, item.project["problems"], item.card.total
        assert reads == {"1", "1.problems"}
        list(item.project)
        assert reads == {"1", "1.problems"}                 # its keys are its class's: nothing more is read
        repr(item.project)
        assert "1.*" in reads
    finally:
        READS.reset(token)
    item.project.goal                                          # nothing is noted outside a render
    assert "1.goal" not in reads
