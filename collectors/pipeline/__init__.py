"""The Redis stream between sources and the aggregator."""
