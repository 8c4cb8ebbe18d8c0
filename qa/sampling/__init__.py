"""Sampling policies, random samples of call history, assignments and evaluators' work queues."""
