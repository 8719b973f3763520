"""Every meta-learner through the common conformance suite."""

from __future__ import annotations

import pytest

from autometa.metalearn import AverageRank, LightGBMRanker, NearestDatasets
from autometa.testing.metalearn import MetaLearnerConformance


class TestAverageRank(MetaLearnerConformance):
    @pytest.fixture
    def learner(self) -> AverageRank:
        return AverageRank()


class TestAverageRankCoverage(MetaLearnerConformance):
    @pytest.fixture
    def learner(self) -> AverageRank:
        return AverageRank(selection="coverage")


class TestNearestDatasets(MetaLearnerConformance):
    @pytest.fixture
    def learner(self) -> NearestDatasets:
        return NearestDatasets(n_neighbors=4)


class TestNearestDatasetsScoreDistance(MetaLearnerConformance):
    @pytest.fixture
    def learner(self) -> NearestDatasets:
        return NearestDatasets(n_neighbors=3, weights="distance", distance="l2", feature_weights="uniform",
                               selection="score")


class TestLightGBMRanker(MetaLearnerConformance):
    @pytest.fixture
    def learner(self) -> LightGBMRanker:
        return LightGBMRanker(n_estimators=30, min_child_samples=5)


class TestLightGBMRegression(MetaLearnerConformance):
    @pytest.fixture
    def learner(self) -> LightGBMRanker:
        return LightGBMRanker(objective="regression", n_estimators=30, min_child_samples=5)
