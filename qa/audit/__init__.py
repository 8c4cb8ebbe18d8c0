"""The audit log: who did what to which record, when, with the details that explain it."""
