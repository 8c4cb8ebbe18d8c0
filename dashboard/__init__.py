"""The application shell: settings, app factory, auth, pages and the ``floorboard`` CLI."""
