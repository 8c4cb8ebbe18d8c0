"""The deductions ledger: every addition or deduction for an agent, never edited in place."""
