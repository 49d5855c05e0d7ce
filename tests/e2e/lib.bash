# Helpers for end-to-end tests: each test script sources this, runs the real binary and checks
# exit codes and messages. Usage in a test: bash TEST.sh TREELINE_BINARY SOURCE_DIR
set -uo pipefail
TREELINE=$1
SOURCE_DIR=$2
SAMPLE="$SOURCE_DIR/data/covertype-sample.csv.gz"
SHARED="$SOURCE_DIR/../shared/data/covertype-100k.csv.gz"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
passed=0
failed=0

ok() { passed=$((passed + 1)); echo "ok: $1"; }
fail() { failed=$((failed + 1)); echo "FAIL: $1"; }

# expect_error NAME EXPECTED_SUBSTRING... -- COMMAND...: the command fails with exit status 2 (the
# input is at fault, as README says) and stderr names each substring.
expect_error() {
  local name=$1; shift
  local wants=()
  while [ "$1" != "--" ]; do wants+=("$1"); shift; done
  shift
  local err status=0
  err=$("$@" 2>&1 >/dev/null) || status=$?
  if [ "$status" -ne 2 ]; then fail "$name: expected exit status 2, got $status: $err"; return; fi
  for w in "${wants[@]}"; do
    if ! grep -qF -- "$w" <<<"$err"; then fail "$name: error lacks '$w': $err"; return; fi
  done
  ok "$name"
}

finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
