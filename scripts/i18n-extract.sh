#!/usr/bin/env bash
# Extract an area's strings and merge them into its Indonesian catalogue:
#   scripts/i18n-extract.sh AREA     (core | intake | evidence | cases | accounts | notify | public)
# core = the package top level and templates/{base,macros,errors}; an area = portal/AREA + templates/AREA.
set -euo pipefail
cd "$(dirname "$0")/.."
area=$1; VENV=${VENV:-.venv}
dir=portal/translations/$area; po=$dir/id/LC_MESSAGES/messages.po; pot=$(mktemp)
if [ "$area" = core ]; then
  inputs=(portal/*.py templates/base.html templates/macros.html templates/_nav.html templates/errors)
else
  inputs=(portal/$area); [ -d templates/$area ] && inputs+=(templates/$area)
  [ -d templates/emails/$area ] && inputs+=(templates/emails/$area)
fi
"$VENV/bin/pybabel" extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output -o "$pot" "${inputs[@]}" 2>/dev/null
mkdir -p "$(dirname "$po")"
if [ -f "$po" ]; then "$VENV/bin/pybabel" update -i "$pot" -d "$dir" -l id --no-fuzzy-matching --ignore-obsolete
else "$VENV/bin/pybabel" init -i "$pot" -d "$dir" -l id; fi
rm -f "$pot"
echo "$po: $(grep -c '^msgid "' "$po") strings, $(grep -B1 -c '^msgstr ""$' "$po" ) possibly untranslated"
