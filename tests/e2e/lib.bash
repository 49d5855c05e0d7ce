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

# expect_error NAME EXPECTED_SUBSTRING... -- COMMAND...: the command fails and stderr names each substring.
expect_error() {
  local name=$1; shift
  local wants=()
  while [ "$1" != "--" ]; do wants+=("$1"); shift; done
  shift
  local err
  if err=$("$@" 2>&1 >/dev/null); then fail "$name: expected a non-zero exit"; return; fi
  for w in "${wants[@]}"; do
    if ! grep -qF -- "$w" <<<"$err"; then fail "$name: error lacks '$w': $err"; return; fi
  done
  ok "$name"
}

finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
