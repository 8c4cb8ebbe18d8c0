"""The aggregator: consumes the event stream, keeps live state and counters, writes the snapshot."""
