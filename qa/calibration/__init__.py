"""Calibration sessions: several evaluators score one call blind against a benchmark."""
