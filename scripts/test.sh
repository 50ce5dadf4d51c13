#!/usr/bin/env bash
# Runs the whole test suite and prints the plain `N passed, N failed` line CI records.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
report="$(mktemp -t vitest-report.XXXXXX.json)"
trap 'rm -f "$report"' EXIT
npx vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@"
status=$?
if [[ -s "$report" ]]; then
  # shellcheck disable=SC2016 # JavaScript, not shell
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
    let line = `${r.numPassedTests} passed, ${r.numFailedTests} failed`;
    if (skipped) line += `, ${skipped} skipped`;
    if (r.numTotalTests === 0) { console.log("no tests ran"); process.exit(1); }
    console.log(line);
  ' "$report" || status=1
else
  echo "0 passed, 1 failed"
  status=1
fi
exit $status
