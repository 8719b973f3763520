"""Conformance suites that implementations plug into by overriding one fixture.

- :mod:`autometa.testing.metalearn`: :class:`~autometa.testing.metalearn.MetaLearnerConformance`
  for meta-learners.
- :mod:`autometa.testing.faults`: :func:`~autometa.testing.faults.kill_at_rename`, a
  ``kill -9`` at the N-th atomic write, for the fault suites.

Modules here import pytest; import them from tests only.
"""
