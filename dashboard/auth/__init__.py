"""Users, roles, display tokens and the one access guard."""
