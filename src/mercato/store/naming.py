"""WStore's rules for names and versions (reference §1)."""

import re

from mercato.errors import Invalid

NAME = re.compile(r"^[\w -]+$")
FILE_NAME = re.compile(r"^[\w .-]+\.\w+$")
_NUMBERS = r"(?:[1-9]\d*\.|0\.)*(?:[1-9]\d*|0)"
OFFERING_VERSION = re.compile(rf"^{_NUMBERS}$")
# Assets may carry a pre-release suffix: 1.0a1, 1.0b2, 1.0rc3.
ASSET_VERSION = re.compile(rf"^({_NUMBERS})(?:(a|b|rc)(\d+))?$")
_PRE_RELEASE_RANK = {"a": 0, "b": 1, "rc": 2}
MAX_NAME = 255
MAX_VERSION = 32


def check_name(name: object, field: str = "name") -> str:
    if not isinstance(name, str) or not name.strip():
        raise Invalid.field(field, "is missing")
    if len(name) > MAX_NAME or not NAME.match(name):
        raise Invalid.field(field, "may hold only letters, digits, spaces, '_' and '-'")
    return name


def check_file_name(name: object, field: str) -> str:
    if not isinstance(name, str) or len(name) > MAX_NAME or not FILE_NAME.match(name):
        raise Invalid.field(field, "is not a valid file name (letters, digits, '.', '-', '_')")
    return name


def check_offering_version(version: object, field: str = "version") -> str:
    if not isinstance(version, str) or len(version) > MAX_VERSION:
        raise Invalid.field(field, "must be a version string such as 1.0")
    if not OFFERING_VERSION.match(version):
        raise Invalid.field(field, "must be numbers separated by dots, without leading zeros")
    return version


def check_asset_version(version: object, field: str = "version") -> str:
    if not isinstance(version, str) or len(version) > MAX_VERSION:
        raise Invalid.field(field, "must be a version string such as 1.0")
    if not ASSET_VERSION.match(version):
        raise Invalid.field(
            field, "must be numbers separated by dots, optionally ending in a1, b1 or rc1"
        )
    return version


def _key(version: str, width: int) -> tuple[tuple[int, ...], tuple[int, int]]:
    match = ASSET_VERSION.match(version)
    if match is None:
        raise ValueError(f"not a version: {version!r}")
    numbers = [int(part) for part in match.group(1).split(".")]
    numbers += [0] * (width - len(numbers))
    # A release ranks above any of its pre-releases.
    pre = (_PRE_RELEASE_RANK[match.group(2)], int(match.group(3))) if match.group(2) else (3, 0)
    return tuple(numbers), pre


def compare_versions(left: str, right: str) -> int:
    """-1, 0 or 1; numeric per component, missing components count as 0."""
    width = max(left.count("."), right.count(".")) + 1
    a, b = _key(left, width), _key(right, width)
    return (a > b) - (a < b)
