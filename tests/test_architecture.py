"""The import graph keeps its layers (docs/architecture.md): no circles, nothing new running up or into a private module.

The imports that still break the rules are listed here, each with the move of issue 23
that removes it; the lists may only shrink (a removed one must leave the list too).
"""

from __future__ import annotations

from autometa.testing.imports import (
    LAYERS,
    circles,
    imports,
    package_of,
    private_imports,
    upward_imports,
)

#: (importing module, imported module) still running up the layers
KNOWN_UPWARD = {
    ("autometa.estimators", "autometa"),  # fit() reads the public face's lazy-import clock (start-up timing)
    ("autometa.representations._base", "autometa.metalearn._data"),  # item 5
    ("autometa.representations.learners", "autometa.metalearn"),  # item 5
    ("autometa.representations.metafeature", "autometa.metalearn"),  # item 5: one TaskEncoder base
    ("autometa.tasks._task", "autometa.metafeatures"),  # Task.metafeatures(): a cache on the task
}
#: (importing module, imported private module) across packages
KNOWN_PRIVATE = {
    ("autometa.representations._base", "autometa.metalearn._data"),
    ("autometa.search._cost", "autometa.metalearn._data"),  # item 1: LARGE_DATA_GROWTH to pipelines
}


def test_every_package_has_a_layer():
    packages = {package_of(i.source) for i in imports()} | {package_of(i.target) for i in imports()}
    assert packages <= set(LAYERS), sorted(packages - set(LAYERS))


def test_the_packages_import_each_other_without_a_circle():
    assert circles(imports()) == []


def test_no_new_import_runs_up_the_layers():
    found = {(i.source, i.target) for i in upward_imports(imports())}
    assert found - KNOWN_UPWARD == set(), "new upward imports (docs/architecture.md says which way they go)"
    assert KNOWN_UPWARD - found == set(), "fixed: take them off KNOWN_UPWARD"


def test_no_new_import_of_another_packages_private_module():
    found = {(i.source, i.target) for i in private_imports(imports())}
    assert found - KNOWN_PRIVATE == set(), "new imports of a private module of another package"
    assert KNOWN_PRIVATE - found == set(), "fixed: take them off KNOWN_PRIVATE"


def test_the_checker_sees_what_it_should(tmp_path):
    """A made-up package: a circle, an upward import and a private import are all found."""
    root = tmp_path / "autometa"
    for pkg in ("tasks", "search"):
        (root / pkg).mkdir(parents=True)
        (root / pkg / "__init__.py").write_text("")
    (root / "__init__.py").write_text("")
    (root / "tasks" / "_a.py").write_text("from autometa.search._b import x\n")
    (root / "search" / "_b.py").write_text("def f():\n    from autometa.tasks import y\n")
    found = imports(root)
    assert circles(found) == [["search", "tasks"]]
    assert [(i.source, i.target) for i in upward_imports(found)] == [("autometa.tasks._a", "autometa.search._b")]
    assert {(i.source, i.target) for i in private_imports(found)} == {("autometa.tasks._a", "autometa.search._b")}
    assert [i.in_function for i in found if i.source == "autometa.search._b"] == [True]
