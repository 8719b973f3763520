"""The import graph keeps its layers (docs/architecture.md): no circle, no import running up, none into a private module."""

from __future__ import annotations

from autometa.testing.imports import (
    LAYERS,
    circles,
    imports,
    package_of,
    private_imports,
    upward_imports,
)


def test_every_package_has_a_layer():
    packages = {package_of(i.source) for i in imports()} | {package_of(i.target) for i in imports()}
    assert packages <= set(LAYERS), sorted(packages - set(LAYERS))


def test_the_packages_import_each_other_without_a_circle():
    assert circles(imports()) == []


def test_no_import_runs_up_the_layers():
    found = sorted((i.source, i.target) for i in upward_imports(imports()))
    assert found == [], "imports running up the layers (docs/architecture.md says which way they go)"


def test_no_import_of_another_packages_private_module():
    found = sorted((i.source, i.target) for i in private_imports(imports()))
    assert found == [], "imports of a private module of another package: export the name, or move it down a layer"


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


def test_the_class_registries_that_replace_package_lookups_hold_every_class():
    """Loading a saved encoder or a MAML checkpoint finds its class without importing the package back."""
    from autometa.maml._algorithms import ALGORITHMS
    from autometa.maml._base import _REGISTERED
    from autometa.representations import ENCODERS
    from autometa.representations._base import encoder_class

    assert {n: c for n, c in _REGISTERED.items() if n in ALGORITHMS} == ALGORITHMS
    assert set(ALGORITHMS) <= set(_REGISTERED)
    assert all(encoder_class(c.__name__) is c for c in ENCODERS.values())
    assert encoder_class("NoSuchEncoder") is None
