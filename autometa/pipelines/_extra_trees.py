"""Extremely randomised trees."""

from __future__ import annotations

from autometa.pipelines._random_forest import ForestFamily

__all__ = ["ExtraTreesFamily"]


class ExtraTreesFamily(ForestFamily):
    """Extra trees (``ExtraTreesClassifier`` / ``ExtraTreesRegressor``); the forest space.

    Examples
    --------
    >>> from autometa.pipelines import get_family
    >>> get_family("extra_trees").defaults("binary")["bootstrap"]
    False
    """

    name = "extra_trees"
    choice_aliases = ("extratrees", "et", "extratreesclassifier", "extratreesregressor", "extratree")
    name_prefixes = ("et_",)
    _bootstrap_default = False
    _seconds_per_tree = 0.013

    def _model_classes(self) -> tuple[type, type]:
        from sklearn.ensemble import ExtraTreesClassifier, ExtraTreesRegressor

        return ExtraTreesClassifier, ExtraTreesRegressor
