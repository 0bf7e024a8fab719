#!/usr/bin/env bash
# Runs the README's two quick-start lines as a new user would: each in its own fresh clone of
# this repository (committed files only), in a clean environment apart from the npm cache.
#
#   scripts/readme-check.sh        both lines
#   scripts/readme-check.sh 1      only the first (e.g. `npm ci && npm start`)
#
# The quick-start lines are the commands in the code blocks of the README's "Quick start" section. Each line's
# output goes to a log; on failure its tail is printed. Exits non-zero if a line fails, or if the
# first line does not leave the article's files in out/.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readme="$repo/README.md"
[ -f "$readme" ] || { echo "readme-check: no README.md in $repo" >&2; exit 1; }

# The commands in the fenced code blocks of the "Quick start" section (up to the next heading);
# blank lines and comments skipped, a leading "$ " dropped.
mapfile -t lines < <(awk '
  insection && /^[[:space:]]*```/ { inblock = !inblock; next }
  inblock { if (NF && $1 !~ /^#/) { sub(/^[[:space:]]*\$[[:space:]]+/, ""); print }; next }
  /^#+[[:space:]]/ { if (insection) exit; if (tolower($0) ~ /quick[- ]?start/) insection = 1; next }
' "$readme")
if [ "${#lines[@]}" -ne 2 ]; then
  echo "readme-check: expected 2 command lines in the code blocks of the README's Quick start section, found ${#lines[@]}:" >&2
  printf '  %s\n' "${lines[@]}" >&2
  exit 1
fi

only="${1:-}"
case "$only" in
  "" | 1 | 2) ;;
  *) echo "usage: scripts/readme-check.sh [1|2]" >&2; exit 2 ;;
esac

work="$(mktemp -d "${TMPDIR:-/tmp}/duograd-readme-XXXXXX")"
trap 'rm -rf "$work"' EXIT

# Reuse the npm cache (no network when it is warm); skip audit and funding chatter.
export npm_config_prefer_offline=true npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

status=0
for i in 0 1; do
  n=$((i + 1))
  [ -z "$only" ] || [ "$only" = "$n" ] || continue
  line="${lines[$i]}"
  dir="$work/clone$n"
  log="$work/line$n.log"
  git clone --quiet --no-hardlinks "$repo" "$dir"
  start=$SECONDS
  echo "readme-check: line $n in a fresh clone: $line"
  if ! (cd "$dir" && CI=true bash -eo pipefail -c "$line") >"$log" 2>&1 </dev/null; then
    echo "readme-check: FAILED line $n after $((SECONDS - start)) s: $line; last lines of its output:" >&2
    tail -n 60 "$log" >&2
    status=1
    continue
  fi
  if [ "$n" = 1 ]; then
    for f in data.svg data.png fit.svg fit.png loss.svg loss.png report.html; do
      if [ ! -s "$dir/out/$f" ]; then
        echo "readme-check: line 1 ran but did not write out/$f" >&2
        status=1
      fi
    done
  fi
  echo "readme-check: ok line $n ($((SECONDS - start)) s)"
done
exit $status
