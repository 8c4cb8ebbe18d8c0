"""QA reports: quality scores over time, item failure rates, evaluator workload; CSV/XLSX."""
