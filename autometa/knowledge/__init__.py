"""The knowledge base: meta-features, a portfolio, and every configuration's scores.

Offers :class:`KnowledgeBase` (load, check, query), :func:`build_knowledge_base`
(resumable, atomic, parallel), :class:`Protocol` (how scores are measured),
:func:`default_path` (the base shipped with the package) and :func:`load_knowledge`
(the shipped base joined with your recorded runs).
"""

from __future__ import annotations

from autometa.knowledge._kb import KnowledgeBase, default_path
from autometa.knowledge._schema import FILES, GREATER_IS_BETTER, PRIMARY_METRIC, Protocol
from autometa.knowledge.build import BuildReport, build_knowledge_base
from autometa.knowledge.user import load_knowledge

__all__ = ["BuildReport", "FILES", "GREATER_IS_BETTER", "KnowledgeBase", "PRIMARY_METRIC", "Protocol",
           "build_knowledge_base", "default_path", "load_knowledge"]
