"""The official-account registry: CSV import (all rows or none) and deletion."""

import csv
import io
import logging
import re
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal.capture.models import OfficialAccount, OfficialMatch
from portal.db import db
from portal.reference.models import Region

logger = logging.getLogger(__name__)

PLATFORMS = ("instagram", "facebook", "x", "tiktok", "youtube", "threads", "other")
COLUMNS = ("platform", "handle", "agency", "region")
_HANDLE = re.compile(r"[a-z0-9_.\-]{1,200}")
MAX_ROWS = 5000
AccountRow = tuple[str, str, str, int | None]  # platform, handle, agency, region id


@dataclass(frozen=True)
class RowError:
    row: int  # the line number in the file, the header being line 1
    message: str


class ImportRejected(ValueError):
    """The file had errors; nothing was stored."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


def normalize_handle(text: str) -> str:
    """Lowercase, without a leading "@" or surrounding spaces."""
    return text.strip().lstrip("@").strip().lower()


def import_official_accounts(*, data: bytes) -> tuple[int, int]:
    """Add or update every row of the CSV (raises ImportRejected); (added, updated)."""
    rows, errors = _parse(data)
    if errors:
        raise ImportRejected(errors)
    added = updated = 0
    for platform, handle, agency, region_id in rows:
        account = db.session.scalar(
            sa.select(OfficialAccount).where(
                OfficialAccount.platform == platform, OfficialAccount.handle == handle
            )
        )
        if account is None:
            db.session.add(
                OfficialAccount(
                    platform=platform, handle=handle, agency=agency, region_id=region_id
                )
            )
            added += 1
        else:
            account.agency, account.region_id = agency, region_id
            updated += 1
    db.session.flush()
    logger.info("Official accounts imported: %s added, %s updated", added, updated)
    return added, updated


def _parse(data: bytes) -> tuple[list[AccountRow], list[RowError]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [RowError(1, str(_l("The file is not UTF-8 text.")))]
    reader = csv.reader(io.StringIO(text))
    header = [h.strip().lower() for h in next(reader, [])]
    if header[:3] != list(COLUMNS[:3]) or len(header) > 4 or header[3:] not in ([], ["region"]):
        return [], [RowError(1, str(_l("The first line must be: platform,handle,agency,region")))]
    regions: dict[str, int] = {}
    for code, name, rid in db.session.execute(sa.select(Region.code, Region.name, Region.id)):
        regions[code.lower()] = regions[name.lower()] = rid
    rows, errors, seen = [], [], set()
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if number > MAX_ROWS + 1:
            errors.append(RowError(number, str(_l("Too many rows (at most %(n)d).", n=MAX_ROWS))))
            break
        row = _row(cells, regions)
        if not isinstance(row, str) and row[:2] in seen:
            row = str(_l("This account appears twice in the file."))
        if isinstance(row, str):
            errors.append(RowError(number, row))
            continue
        seen.add(row[:2])
        rows.append(row)
    return rows, errors


def _row(cells: list[str], regions: dict[str, int]) -> AccountRow | str:
    """One line of the file as an account row, or what is wrong with it."""
    cells = [c.strip() for c in cells] + [""] * 4
    platform, handle, agency, region = cells[0].lower(), normalize_handle(cells[1]), *cells[2:4]
    if any(cells[4:]):
        return str(_l("Too many columns."))
    if platform not in PLATFORMS:
        return str(
            _l(
                "Unknown platform “%(p)s” (use one of: %(all)s).",
                p=platform[:40],
                all=", ".join(PLATFORMS),
            )
        )
    if not _HANDLE.fullmatch(handle):
        return str(_l("The handle may hold only letters, digits, “_”, “.” and “-”."))
    if not agency or len(agency) > 300:
        return str(_l("The agency name is missing or longer than 300 characters."))
    if region and region.lower() not in regions:
        return str(_l("Unknown region “%(code)s” (give its code, e.g. 16.74).", code=region[:40]))
    return (platform, handle, agency, regions.get(region.lower()))


def delete_official_account(*, account: OfficialAccount) -> None:
    """Remove an account from the registry (flags already recorded on cases stay in history)."""
    db.session.execute(sa.delete(OfficialMatch).where(OfficialMatch.account_id == account.id))
    db.session.delete(account)
    db.session.flush()
    logger.info("Official account %s deleted", account.id)
