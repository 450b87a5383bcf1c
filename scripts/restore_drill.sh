#!/usr/bin/env bash
# The restore drill (docs/DEPLOY.md): proves that a backup of the configured PostgreSQL database
# restores whole.
#
#   DATABASE_URL=postgres://user@host:5432/shixian scripts/restore_drill.sh [DUMP_FILE]
#
# 1. pg_dump -Fc the database (to DUMP_FILE, kept; or a temporary file), from a snapshot that is
#    held open meanwhile, and count every table's rows in that same snapshot: the app may keep
#    writing, the counts still describe exactly what the dump holds;
# 2. restore the dump into a scratch database beside it (pg_restore --exit-on-error);
# 3. run `manage.py verify_audit` on the scratch database: the audit trail's hash chain is whole;
# 4. compare every table's row count in the scratch database with the snapshot's;
# 5. drop the scratch database (also when a step fails).
#
# Needs psql, pg_dump and pg_restore of the server's major version, the right to create databases,
# and the app's environment (SECRET_KEY, or DEBUG=1 on a test machine) for manage.py.
# Exits non-zero, saying why, at the first step that fails.
set -euo pipefail
umask 077  # the dump holds personal data: readable by its owner only
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-.venv/bin/python}"
SOURCE="${DATABASE_URL:-}"
case "$SOURCE" in
  postgres://* | postgresql://*) ;;
  *) echo "restore_drill: DATABASE_URL must be a postgres:// URL (it is '${SOURCE}')" >&2; exit 2 ;;
esac
for tool in psql pg_dump pg_restore; do
  command -v "$tool" >/dev/null || { echo "restore_drill: $tool is not installed" >&2; exit 2; }
done

base="${SOURCE%%\?*}"           # the URL without ?options
options="${SOURCE#"$base"}"
source_db="${base##*/}"
scratch_db="${source_db}_drill_$(date +%Y%m%d%H%M%S)"
SCRATCH="${base%/*}/${scratch_db}${options}"

work="$(mktemp -d)"
dump="${1:-$work/${source_db}.dump}"

cleanup() {
  status=$?
  if [[ -n "${snapshot_pid:-}" ]]; then kill "$snapshot_pid" 2>/dev/null || true; fi
  if [[ "${created:-0}" == 1 ]]; then
    psql "$SOURCE" -qAtX -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS \"${scratch_db}\" WITH (FORCE)" >/dev/null \
      && echo "dropped the scratch database ${scratch_db}"
  fi
  rm -rf "$work"
  if [[ $status -ne 0 ]]; then echo "restore drill FAILED" >&2; fi
  exit $status
}
trap cleanup EXIT

# Every base table of the public schema with its row count, one "table count" a line, sorted.
COUNT_ROWS="SELECT table_name || ' ' || (xpath('/row/n/text()',
  query_to_xml(format('SELECT count(*) AS n FROM %I.%I', table_schema, table_name), false, true, '')))[1]::text
  FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name;"

# 1. A snapshot held open by a psql session of its own; pg_dump and the counts both read it.
started=$(date +%s)
coproc SNAPSHOT { psql "$SOURCE" -qAtX -v ON_ERROR_STOP=1; }
snapshot_pid=$SNAPSHOT_PID
echo "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SELECT pg_export_snapshot();" >&"${SNAPSHOT[1]}"
read -r snapshot <&"${SNAPSHOT[0]}"
echo "$COUNT_ROWS SELECT '--end--';" >&"${SNAPSHOT[1]}"
: >"$work/source.counts"
while read -r line <&"${SNAPSHOT[0]}" && [[ "$line" != "--end--" ]]; do echo "$line" >>"$work/source.counts"; done
pg_dump -Fc --snapshot="$snapshot" -f "$dump" "$SOURCE"
echo "COMMIT;" >&"${SNAPSHOT[1]}"
exec {SNAPSHOT[1]}>&-
wait "$snapshot_pid" 2>/dev/null || true
unset snapshot_pid
echo "dumped ${source_db}: $(du -h "$dump" | cut -f1) in $(( $(date +%s) - started ))s -> ${dump}"

# 2. Restore into the scratch database.
started=$(date +%s)
psql "$SOURCE" -qAtX -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"${scratch_db}\"" >/dev/null
created=1
pg_restore --exit-on-error --no-owner --no-privileges -d "$SCRATCH" "$dump"
echo "restored into ${scratch_db} in $(( $(date +%s) - started ))s"

# 3. The audit trail of the restored copy.
DATABASE_URL="$SCRATCH" "$PYTHON" manage.py verify_audit

# 4. Row counts, table by table.
psql "$SCRATCH" -qAtX -v ON_ERROR_STOP=1 -c "$COUNT_ROWS" >"$work/restored.counts"
tables=$(wc -l <"$work/source.counts")
rows=$(awk '{ n += $2 } END { print n + 0 }' "$work/source.counts")
if ! diff -u --label "${source_db} (at the dump)" --label "${scratch_db} (restored)" \
    "$work/source.counts" "$work/restored.counts" >"$work/counts.diff"; then
  cat "$work/counts.diff" >&2
  echo "row counts differ" >&2
  exit 1
fi
echo "row counts equal: ${tables} tables, ${rows} rows"
sort -k2 -n -r "$work/source.counts" | head -n 5 | sed 's/^/  /'
echo "restore drill OK"
