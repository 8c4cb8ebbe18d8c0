"""Dash pages (``use_pages``): each module registers itself, its layout and its callbacks."""
