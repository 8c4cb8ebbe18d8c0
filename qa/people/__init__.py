"""People: agents (by their telephony agent code) and teams, shared by the QA console and HR."""
