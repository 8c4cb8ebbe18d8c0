"""Asterisk Manager Interface (AMI): a live source of the same canonical events as queue_log.

- :mod:`.protocol` — the wire format (banner, ``Key: Value`` blocks), decoded from any cuts.
- :mod:`.mapping` (with :mod:`.members` and :mod:`.fields`) — AMI events → canonical events.
- :mod:`.client` — :class:`~collectors.ami.client.AmiCollector`: login, state, events, reconnect.
- :mod:`.fake_server` (with :mod:`.script`) — a fake AMI server replaying recorded sessions.

Setup, permissions and the mapping table: ``docs/ami.md``.
"""
