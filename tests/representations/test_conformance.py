"""Every encoder through the common suite (autometa.testing.representations)."""

from __future__ import annotations

import pytest

from autometa.representations import (
    ConcatTaskEncoder,
    Dataset2VecEncoder,
    FeatureGraphEncoder,
    MetafeatureVectorEncoder,
)
from autometa.testing.representations import FAST_GROUPS, TaskEncoderConformance

FAST = FAST_GROUPS


class TestMetafeatureVector(TaskEncoderConformance):
    @pytest.fixture
    def encoder(self) -> MetafeatureVectorEncoder:
        return MetafeatureVectorEncoder(groups=FAST)


class TestDataset2VecProfile(TaskEncoderConformance):
    @pytest.fixture
    def encoder(self) -> Dataset2VecEncoder:
        return Dataset2VecEncoder(steps=15, batch_rows=32, hidden=16)


class TestDataset2VecSameDataset(TaskEncoderConformance):
    @pytest.fixture
    def encoder(self) -> Dataset2VecEncoder:
        return Dataset2VecEncoder(objective="same_dataset", steps=15, batch_rows=32, hidden=16)


class TestFeatureGraph(TaskEncoderConformance):
    @pytest.fixture
    def encoder(self) -> FeatureGraphEncoder:
        return FeatureGraphEncoder(epochs=15, hidden=16)


class TestConcat(TaskEncoderConformance):
    @pytest.fixture
    def encoder(self) -> ConcatTaskEncoder:
        return ConcatTaskEncoder([MetafeatureVectorEncoder(groups=FAST), FeatureGraphEncoder(epochs=10, hidden=16)])
