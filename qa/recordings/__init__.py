"""Call recordings: finding a call's audio, checking it, who may hear it, demo recordings."""
