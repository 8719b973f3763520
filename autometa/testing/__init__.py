"""Conformance suites that implementations plug into by overriding one fixture.

- :mod:`autometa.testing.metalearn`: :class:`~autometa.testing.metalearn.MetaLearnerConformance`
  for meta-learners.

Modules here import pytest; import them from tests only.
"""
