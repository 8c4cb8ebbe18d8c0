"""Helpers shared by the tests (``tests/`` is on pytest's ``pythonpath``).

- ``waiting``: :func:`~support.waiting.wait_for`, polling a condition until it holds.
- ``browser``: reading a page in the browser (``text_of``, ``tile_text``).
- ``render``: the strings of a rendered component tree (``rendered_texts``).
- ``dash_requests``: the requests dash-renderer sends: the page router (``router_body``,
  ``page``) and any callback (``callback_body``, ``call``).
"""
