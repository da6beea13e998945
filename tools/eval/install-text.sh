#!/usr/bin/env bash
# Installs the Debian packages whose English text tools/eval/corpus.py turns into the "unique"
# haystack (text that never repeats): the kernel documentation (6.1, and 6.12 for what changed
# since), the GCIDE dictionary, WordNet (glosses, and the lemmas the lookalike task draws keys
# from) and, for more prose, the Python, Perl, PostgreSQL, Django, SQLite, Octave, GIMP, Apache,
# Rust, LilyPond, LibreOffice, Maxima, Sphinx, KiCad, GnuCash and GNOME manuals, the Debian
# Administrator's Handbook, the Jargon File and the fortune files. Nothing else reads them
# (about 2 GB installed); the tests do not need them.
#   bash tools/eval/install-text.sh            # apt-get install (as root, or with sudo)
#   bash tools/eval/install-text.sh --check    # exit 1 and name the missing ones, install nothing
set -euo pipefail
PACKAGES=(linux-doc-6.1 dict-gcide wordnet-base python3.11-doc perl-doc postgresql-doc-15 debian-handbook
          python-django-doc sqlite3-doc octave-doc gimp-help-en apache2-doc rust-doc lilypond-doc-html
          libreoffice-help-en-us maxima-doc sphinx-doc kicad-doc-en gnucash-docs gnome-user-docs jargon-text
          fortunes linux-doc-6.12)
need=()
for pkg in "${PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -eq 0 ]; then
  echo "install-text.sh: ${PACKAGES[*]} installed"
  exit 0
fi
if [ "${1:-}" = "--check" ]; then
  echo "install-text.sh: missing ${need[*]}" >&2
  exit 1
fi
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
echo "install-text.sh: installed ${need[*]}"
