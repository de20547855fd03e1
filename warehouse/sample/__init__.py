"""Deterministic dirty sample sources (CRM exports + shop transactions) with their ground truth.

See docs/sample_data.md for the defects injected and docs/data_rules.md for the rules the truth follows.
"""

from warehouse.sample.generator import SampleSummary, generate_sample

__all__ = ["SampleSummary", "generate_sample"]
