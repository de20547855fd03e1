"""Deterministic dirty sample sources (CRM exports, shop transactions, branch tills) with their ground truth.

See docs/sample_data.md for the defects injected and docs/data_rules.md for the rules the truth follows.
"""

from warehouse.sample.generator import SampleSummary, generate_sample
from warehouse.sample.tills_generator import TillsSummary, generate_tills

__all__ = ["SampleSummary", "TillsSummary", "generate_sample", "generate_tills"]
