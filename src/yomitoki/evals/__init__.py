"""Evaluation: pure metrics and the runners that feed them."""
