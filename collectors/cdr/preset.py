"""Shipped mappings (``collectors/cdr/presets/*.yaml``): ``--preset NAME`` instead of a YAML file.

Presets go through the same door as a user's mapping (:func:`core.safe_yaml.load`, then
:func:`~collectors.cdr.mapping.parse_mapping`), so a preset can do nothing a user's file cannot.
Presets for exports in the server's local time say ``timezone: local`` and need ``timezone``.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import yaml

from collectors.cdr.mapping import Mapping, MappingError, load_mapping, parse_mapping
from core import safe_yaml

_PACKAGE = "collectors.cdr.presets"
_SUFFIX = ".yaml"


def preset_names() -> list[str]:
    """The shipped presets, sorted."""
    files = resources.files(_PACKAGE).iterdir()
    return sorted(f.name[: -len(_SUFFIX)] for f in files if f.name.endswith(_SUFFIX))


def preset_text(name: str) -> str:
    """The preset's YAML (for ``docs`` and ``--detect`` output).

    Raises:
        MappingError: no such preset; the message lists the known ones.
    """
    known = preset_names()
    if name not in known:
        raise MappingError(f"unknown preset {name!r}; known presets: {', '.join(known)}")
    return resources.files(_PACKAGE).joinpath(name + _SUFFIX).read_text(encoding="utf-8")


def load_preset(name: str, *, timezone: str | None = None) -> Mapping:
    """The validated mapping of a shipped preset.

    Args:
        name: one of :func:`preset_names`.
        timezone: IANA zone of the export's local times (``--timezone``); required by presets
            whose times are server-local.

    Raises:
        MappingError: unknown preset, or a local-time preset without ``timezone``.
    """
    origin = f"preset {name}"
    text = preset_text(name)
    try:
        data = safe_yaml.load(text, origin=origin)
    except (safe_yaml.UserYamlError, yaml.YAMLError) as exc:  # a packaging fault, not the user's
        raise MappingError(f"{origin}: {exc}") from exc
    return parse_mapping(data, origin=origin, timezone=timezone)


def resolve_mapping(
    *, mapping_path: str | Path | None, preset: str | None, timezone: str | None = None
) -> Mapping:
    """The mapping a command was given: exactly one of a mapping file and a preset.

    Args:
        mapping_path: ``--mapping FILE``.
        preset: ``--preset NAME``.
        timezone: ``--timezone``: the zone of the export's local times (overrides a file's
            ``time.timezone``; required by local-time presets).

    Raises:
        MappingError: both or neither given, an unknown preset, or an invalid mapping.
    """
    if mapping_path is not None and preset is not None:
        raise MappingError(
            "--mapping and --preset are exclusive: a preset is a shipped mapping file; "
            "give one or the other"
        )
    if preset is not None:
        return load_preset(preset, timezone=timezone)
    if mapping_path is None:
        raise MappingError(
            "say how to read the file: --preset NAME (one of "
            f"{', '.join(preset_names())}), --mapping FILE, or --detect to have one proposed"
        )
    return load_mapping(mapping_path, timezone=timezone)
