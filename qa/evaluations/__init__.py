"""Evaluations: drafts, answers, timestamped comments, submission, acknowledgement, disputes."""
