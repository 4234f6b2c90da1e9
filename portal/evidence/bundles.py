"""Checking an evidence bundle: every file the manifest lists, re-hashed (no database needed)."""

import hashlib
import json
import zipfile
from dataclasses import dataclass

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class BundleCheck:
    checked: int
    problem: str | None  # the first mismatch, None when every file matches


def verify_bundle(path: str) -> BundleCheck:
    """Re-hash every file the manifest lists; name the first that differs, is missing or extra."""
    try:
        bundle = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as err:
        return BundleCheck(0, f"not a readable ZIP file ({err})")
    with bundle:
        try:
            manifest = json.loads(bundle.read(MANIFEST))
            entries = list(manifest["files"])
        except (KeyError, ValueError, TypeError):
            return BundleCheck(0, f"{MANIFEST} is missing or unreadable")
        names = set(bundle.namelist()) - {MANIFEST}
        checked = 0
        for entry in entries:
            name = entry.get("path")
            if name not in names:
                return BundleCheck(checked, f"{name}: listed in the manifest but not in the ZIP")
            data = bundle.read(name)
            if hashlib.sha256(data).hexdigest() != entry.get("sha256"):
                return BundleCheck(checked, f"{name}: SHA-256 does not match the manifest")
            if len(data) != entry.get("size"):
                return BundleCheck(checked, f"{name}: size does not match the manifest")
            names.discard(name)
            checked += 1
        if names:
            return BundleCheck(checked, f"{sorted(names)[0]}: in the ZIP but not in the manifest")
        return BundleCheck(checked, None)
