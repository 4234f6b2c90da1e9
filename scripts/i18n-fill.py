"""Fill Indonesian translations into an area's catalogue from a Python dict file.

    .venv/bin/python scripts/i18n-fill.py AREA translations.py
translations.py defines ID = {"English msgid": "Terjemahan", ...}. Prints what is still missing.
"""

import runpy
import sys

from babel.messages.pofile import read_po, write_po

area, source = sys.argv[1], sys.argv[2]
path = f"portal/translations/{area}/id/LC_MESSAGES/messages.po"
with open(path, "rb") as fh:
    catalog = read_po(fh, locale="id")
table = runpy.run_path(source)["ID"]
missing = []
for message in catalog:
    if not message.id:
        continue
    key = message.id if isinstance(message.id, str) else message.id[0]
    if key in table:
        message.string = table[key]
        message.flags.discard("fuzzy")
    elif not message.string:
        missing.append(key)
with open(path, "wb") as fh:
    write_po(fh, catalog, width=100)
for key in missing:
    print("MISSING:", key)
