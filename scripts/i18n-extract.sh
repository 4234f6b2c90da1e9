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
elif [ "$area" = public ]; then  # the public catalogue also holds the officers' publishing forms
  inputs=(portal/public templates/public portal/cases/publishing.py portal/cases/publishing_views.py
          portal/cases/publishing_models.py templates/cases/publishing)
elif [ "$area" = cases_dup ]; then  # duplicates, merges, referrals and audit of the cases area
  inputs=(portal/cases/duplicates.py portal/cases/duplicate_views.py portal/cases/merges.py
          portal/cases/referrals.py portal/cases/referral_views.py portal/cases/audit.py
          portal/cases/audit_views.py portal/cases/dup_models.py portal/cases/dup_forms.py
          portal/cases/dup_cli.py templates/cases/duplicates templates/cases/referrals
          templates/cases/audit)
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
