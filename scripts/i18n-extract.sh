#!/usr/bin/env bash
# Extract an area's strings and merge them into its Indonesian catalogue:
#   scripts/i18n-extract.sh CATALOGUE   (core | intake | evidence | cases | cases_dup | accounts |
#                                        notify | public | capture | legal | privacy | formal)
# Each catalogue's inputs are listed below (accounts also holds reference's admin pages, cases_dup
# the duplicates/referrals/audit sub-areas, public the publishing sub-area, capture the worker).
set -euo pipefail
cd "$(dirname "$0")/.."
area=$1; VENV=${VENV:-.venv}
dir=portal/translations/$area; po=$dir/id/LC_MESSAGES/messages.po; pot=$(mktemp)
case $area in
  core)      inputs=(portal/*.py portal/site templates/base.html templates/staff.html templates/macros.html
                     templates/_nav.html templates/_staff_nav.html
                     templates/errors) ;;
  accounts)  inputs=(portal/accounts templates/accounts portal/reference templates/reference) ;;
  cases)     inputs=(portal/cases/*.py portal/cases/admin portal/cases/identity templates/cases/*.html
                     templates/cases/admin templates/cases/identity
                     templates/emails/cases) ;;
  cases_dup) inputs=(portal/cases/duplicates portal/cases/referrals portal/cases/audit
                     templates/cases/duplicates templates/cases/referrals templates/cases/audit) ;;
  public)    inputs=(portal/public templates/public portal/cases/publishing templates/cases/publishing) ;;
  capture)   inputs=(portal/capture portal/worker templates/capture templates/worker) ;;
  privacy)   inputs=(portal/privacy portal/intake/rights templates/privacy) ;;
  formal)    inputs=(portal/intake/formal portal/cases/registration templates/intake/formal
                     templates/cases/registration templates/emails/formal) ;;
  *)         inputs=(portal/$area); [ -d templates/$area ] && inputs+=(templates/$area)
             [ -d templates/emails/$area ] && inputs+=(templates/emails/$area) ;;
esac
"$VENV/bin/pybabel" extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output -o "$pot" "${inputs[@]}" 2>/dev/null
mkdir -p "$(dirname "$po")"
if [ -f "$po" ]; then "$VENV/bin/pybabel" update -i "$pot" -d "$dir" -l id --no-fuzzy-matching --ignore-obsolete
else "$VENV/bin/pybabel" init -i "$pot" -d "$dir" -l id; fi
rm -f "$pot"
echo "$po: $(grep -c '^msgid "' "$po") strings, $(grep -B1 -c '^msgstr ""$' "$po" ) possibly untranslated"
