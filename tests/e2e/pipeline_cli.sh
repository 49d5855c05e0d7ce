#!/usr/bin/env bash
# run-local, prepare, train-evaluate, predict and data load through the CLI on real data.
source "$(dirname "$0")/lib.bash"
STORE="$WORK/store"
FAST=(--nthread 1 --n_estimators=15)

# run-local on the bundled sample, JSON document on stdout.
if "$TREELINE" run-local proj run1 --store "$STORE" --data "$SAMPLE" "${FAST[@]}" --json >"$WORK/run.json"; then
  if /usr/bin/python3 - "$WORK/run.json" <<'PY'
import json, os, sys
doc = json.load(open(sys.argv[1]))
rs = doc["results"]
assert [r["cover_type"] for r in rs] == list(range(1, 8)), rs
for r in rs:
    for k in ("accuracy", "f1", "precision", "recall", "roc_auc", "model_uri"):
        assert k in r, (k, r)
    assert os.path.exists(r["model_uri"]), r["model_uri"]
    assert 0.5 < r["accuracy"] <= 1
PY
  then ok "run-local --json"; else fail "run-local --json document"; fi
else
  fail "run-local exited non-zero"
fi

# The summary table for people.
if "$TREELINE" run-local proj run2 --store "$STORE" --data "$SAMPLE" "${FAST[@]}" --cover-types 2,3 | grep -q "mean f1 over 2 cover types"; then
  ok "run-local table"; else fail "run-local table"; fi

# predict with the seven stored models: accuracy printed, CSV written.
out=$("$TREELINE" predict --models "$STORE/proj/run1" --data "$SAMPLE" --out "$WORK/pred.csv" --nthread 1)
if grep -q "7-class accuracy: 0\.[6-9]" <<<"$out" && [ "$(wc -l <"$WORK/pred.csv")" -eq 20001 ]; then
  ok "predict"; else fail "predict: $out"; fi

# With two of the seven models the argmax cannot give the others: no "7-class" accuracy, and a warning.
out=$("$TREELINE" predict --models "$STORE/proj/run2" --data "$SAMPLE" --nthread 1 2>"$WORK/partial.err")
if grep -q "accuracy with 2 of the 7 models: 0\." <<<"$out" && ! grep -q "7-class" <<<"$out" &&
  grep -q "no model for cover types 1,4,5,6,7: the argmax never predicts them" "$WORK/partial.err"; then
  ok "predict with some models"; else fail "predict with some models: $out $(cat "$WORK/partial.err")"; fi

# A run that trains nothing (no rows of the one cover type asked for) fails.
"$TREELINE" data load "$SAMPLE" --into "sqlite:$WORK/w4.db" >/dev/null
expect_error "run-local training nothing" "no cover type was trained" -- \
  "$TREELINE" run-local proj none --store "$STORE" --data "sqlite:$WORK/w4.db" --query "SELECT * FROM covertype WHERE Cover_Type = 1" --cover-types 3 "${FAST[@]}"
gzip -dc "$SAMPLE" | head -1001 >"$WORK/first1000.csv"
if "$TREELINE" data load "$WORK/first1000.csv" --into "sqlite:$WORK/w4.db" | grep -q "1000 rows .* replacing the 20000 rows it held"; then
  ok "data load says what it replaced"; else fail "data load says what it replaced"; fi

# A run-local that did not finish leaves its models marked: predict warns until a run finishes.
"$TREELINE" run-local proj run3 --store "$STORE" --data "$SAMPLE" "${FAST[@]}" >/dev/null
"$TREELINE" run-local proj run3 --store "$STORE" --data "$SAMPLE" --nthread 1 --n_estimators=5000 --max_depth=10 >/dev/null &
slow=$!
for _ in $(seq 300); do grep -q RUNNING "$STORE/proj/run3/last_run/run.json" 2>/dev/null && break; sleep 0.05; done
# One run-local at a time writes a NAME: two would leave models of both under one SUCCEEDED.
expect_error "a second run-local on a NAME being written" "another run-local is writing proj/run3" -- \
  "$TREELINE" run-local proj run3 --store "$STORE" --data "$SAMPLE" "${FAST[@]}"
kill -KILL "$slow"; wait "$slow" 2>/dev/null
"$TREELINE" predict --models "$STORE/proj/run3" --data "$SAMPLE" --nthread 1 >/dev/null 2>"$WORK/unfinished.err"
"$TREELINE" run-local proj run3 --store "$STORE" --data "$SAMPLE" "${FAST[@]}" >/dev/null
"$TREELINE" predict --models "$STORE/proj/run3" --data "$SAMPLE" --nthread 1 >/dev/null 2>"$WORK/finished.err"
if grep -q "warning: the last run-local on these models, started .* did not finish (killed?)" "$WORK/unfinished.err" &&
  ! grep -q "warning" "$WORK/finished.err"; then
  ok "predict warns of an unfinished run-local"; else fail "unfinished run: $(cat "$WORK/unfinished.err") / $(cat "$WORK/finished.err")"; fi

# Only the held-out test split: about 4,000 of the sample's 20,000 rows.
"$TREELINE" predict --models "$STORE/proj/run1" --data "$SAMPLE" --test-split --out "$WORK/test.csv" --nthread 1 >/dev/null
lines=$(wc -l <"$WORK/test.csv")
if [ "$lines" -ge 3990 ] && [ "$lines" -le 4010 ]; then ok "predict --test-split"; else fail "predict --test-split"; fi
# Only rows the models never saw: their own split, of their own data.
expect_error "predict --test-split of another split" "the models held out the test split of seed 42 and fraction 0.2" -- \
  "$TREELINE" predict --models "$STORE/proj/run1" --data "$SAMPLE" --test-split --seed 7
gzip -dc "$SAMPLE" | head -5001 | gzip >"$WORK/part.csv.gz"
expect_error "predict --test-split of other data" "is not the table the models learnt from" "give $SAMPLE, or score all rows without --test-split" -- \
  "$TREELINE" predict --models "$STORE/proj/run1" --data "$WORK/part.csv.gz" --test-split

# A SQLite warehouse in place of BigQuery.
if "$TREELINE" data load "$SAMPLE" --into "sqlite:$WORK/w.db" --table covertype >/dev/null &&
   "$TREELINE" run-local proj sql --store "$STORE" --data "sqlite:$WORK/w.db" \
     --query "SELECT * FROM covertype WHERE Elevation > 0" "${FAST[@]}" --cover-types 1 --json | grep -q '"cover_type":1'; then
  ok "data load + sqlite run-local"; else fail "data load + sqlite run-local"; fi

# prepare, then train-evaluate one cover type as the tuning platform will.
if "$TREELINE" prepare proj prep --store "$STORE" --data "$SAMPLE" >/dev/null &&
   CLOUD_ML_HP_METRIC_FILE="$WORK/hp.jsonl" CLOUD_ML_TRIAL_ID=4 "$TREELINE" train-evaluate --project proj --name prep \
     --cover-type 3 --store "$STORE" --job-dir "$WORK/job" --validation-fraction 0.2 "${FAST[@]}" --max_depth=4 >/dev/null &&
   [ -f "$WORK/job/model/model.json" ] && tail -1 "$WORK/hp.jsonl" | grep -q '"trial":"4"'; then
  ok "prepare + train-evaluate"; else fail "prepare + train-evaluate"; fi

# As the agent runs it: train-evaluate follows the share of cores published in
# TREELINE_THREADS_FILE (2 where --nthread gave 1) and says so in its log; a share equal to
# --nthread is no change, and a blank variable (fixed thread counts) is ignored.
echo 2 > "$WORK/threads"
TREELINE_THREADS_FILE="$WORK/threads" "$TREELINE" train-evaluate --project proj --name prep --cover-type 3 \
  --store "$STORE" --job-dir "$WORK/job2" --validation-fraction 0.2 "${FAST[@]}" >/dev/null 2>"$WORK/share.log"
echo 1 > "$WORK/threads"
TREELINE_THREADS_FILE="$WORK/threads" "$TREELINE" train-evaluate --project proj --name prep --cover-type 3 \
  --store "$STORE" --job-dir "$WORK/job3" --validation-fraction 0.2 "${FAST[@]}" >/dev/null 2>"$WORK/same.log"
TREELINE_THREADS_FILE="" "$TREELINE" train-evaluate --project proj --name prep --cover-type 3 \
  --store "$STORE" --job-dir "$WORK/job4" --validation-fraction 0.2 "${FAST[@]}" >/dev/null 2>"$WORK/blank.log"
if grep -q "now 2 thread(s)" "$WORK/share.log" && ! grep -q "thread(s)" "$WORK/same.log" &&
   ! grep -q "thread(s)" "$WORK/blank.log" && [ -f "$WORK/job2/model/model.json" ]; then
  ok "train-evaluate follows the platform's thread share"; else fail "train-evaluate follows the platform's thread share"; fi

# A trial that tunes its decision threshold keeps it in JOB_DIR from its first report on, so one
# stopped early (here: killed long before its last round) leaves it for its final training.
CLOUD_ML_HP_METRIC_FILE="$WORK/killed.jsonl" "$TREELINE" train-evaluate --project proj --name prep --cover-type 3 \
  --store "$STORE" --job-dir "$WORK/killed" --validation-fraction 0.2 --decision-threshold tune \
  --n_estimators=100000 --max_depth=6 --report-every 5 --nthread 1 >/dev/null 2>&1 &
trial=$!
for _ in $(seq 600); do [ -s "$WORK/killed/decision_threshold.json" ] && break; sleep 0.05; done
kill -9 "$trial" 2>/dev/null; wait "$trial" 2>/dev/null
if [ -s "$WORK/killed/decision_threshold.json" ] && [ ! -e "$WORK/killed/model" ] &&
   "$TREELINE" train-evaluate --project proj --name prep --cover-type 3 --store "$STORE" --job-dir "$WORK/after-kill" \
     --decision-threshold-from "$WORK/killed/decision_threshold.json" "${FAST[@]}" >/dev/null; then
  ok "a trial killed mid-run leaves its tuned threshold"; else fail "a trial killed mid-run leaves its tuned threshold"; fi

# The shared 100,000-row extract, and the same rows in UCI's 55-column covtype.data schema: both
# schemas give the same models.
if [ -f "$SHARED" ]; then
  /usr/bin/python3 - "$SHARED" "$WORK/covtype.data" <<'PY'
import csv, gzip, sys
soils = [2702, 2703, 2704, 2705, 2706, 2717, 3501, 3502, 4201, 4703, 4704, 4744, 4758, 5101, 5151, 6101, 6102,
         6731, 7101, 7102, 7103, 7201, 7202, 7700, 7701, 7702, 7709, 7710, 7745, 7746, 7755, 7756, 7757, 7790,
         8703, 8707, 8708, 8771, 8772, 8776]
areas = ["Rawah", "Neota", "Commanche", "Cache"]
with gzip.open(sys.argv[1], "rt") as f, open(sys.argv[2], "w") as out:
    for row in csv.DictReader(f):
        values = list(row.values())
        area = [a for a in areas if row["Wilderness_Area"].startswith(a)][0]
        onehot = [int(a == area) for a in areas] + [int(s == int(row["Soil_Type"])) for s in soils]
        out.write(",".join(values[:10] + [str(v) for v in onehot] + [row["Cover_Type"]]) + "\n")
PY
  a=$("$TREELINE" run-local proj shared --store "$STORE" --data "$SHARED" "${FAST[@]}" --cover-types 3,4 --json)
  b=$("$TREELINE" run-local proj uci --store "$STORE" --data "$WORK/covtype.data" "${FAST[@]}" --cover-types 3,4 --json)
  if [ "$(sed 's/"model_uri":"[^"]*"//g' <<<"$a")" = "$(sed 's/"model_uri":"[^"]*"//g' <<<"$b")" ] && grep -q '"f1"' <<<"$a"; then
    ok "shared data in both schemas"; else fail "shared data in both schemas: $a / $b"; fi
else
  echo "skip: $SHARED not found"
fi

# Bad input: clear errors naming the place, nothing stored.
printf '%s\n' "Elevation,Aspect" "1,2" >"$WORK/bad.csv"
expect_error "unknown schema" "bad.csv" "unknown schema" -- "$TREELINE" run-local proj bad --store "$STORE" --data "$WORK/bad.csv"
expect_error "unknown hyperparameter" "--max_dept" "valid hyperparameters" "max_depth" -- \
  "$TREELINE" run-local proj bad --store "$STORE" --data "$SAMPLE" --max_dept=3
expect_error "out of range" "--learning_rate=2" "(0, 1]" -- \
  "$TREELINE" run-local proj bad --store "$STORE" --data "$SAMPLE" --learning_rate=2
expect_error "seed beyond XGBoost's" "--seed" "9223372036854775807" -- \
  "$TREELINE" run-local proj bad --store "$STORE" --data "$SAMPLE" --seed 18446744073709551615
expect_error "seed not a number" "--seed" "expected a whole number from 0 to 9223372036854775807, found 'junk'" -- \
  "$TREELINE" run-local proj bad --store "$STORE" --data "$SAMPLE" --seed junk
expect_error "nthread negative" "--nthread" "expected a whole number from 0 to 1024, found '-2'" -- \
  "$TREELINE" run-local proj bad --store "$STORE" --data "$SAMPLE" --nthread -2
expect_error "cover type twice" "--cover-types '1,1': cover type 1 is given twice" -- \
  "$TREELINE" run-local proj bad --store "$STORE" --data "$SAMPLE" --cover-types 1,1
expect_error "empty cover types" "--cover-types '': expected a comma-separated list" -- \
  "$TREELINE" run-local proj bad --store "$STORE" --data "$SAMPLE" --cover-types ""
expect_error "test fraction before anything is stored" "--test-fraction" "strictly between 0 and 1, found 0" -- \
  "$TREELINE" run-local proj bad --store "$WORK/untouched" --data "$SAMPLE" --test-fraction 0
if [ ! -e "$WORK/untouched" ]; then ok "a bad --test-fraction stores nothing"; else fail "a bad --test-fraction created $WORK/untouched"; fi
# A near-miss flag is named with the one likely meant, whatever error CLI11 meets first.
expect_error "misspelt flag" "--cover-type is not a flag of \`treeline submit\`: did you mean --cover-types?" -- \
  "$TREELINE" submit proj bad --store "$STORE" --data "$SAMPLE" --cover-type 3
expect_error "misspelt flag beside hyperparameters" "--cover-type: unknown flag or hyperparameter; did you mean --cover-types?" -- \
  "$TREELINE" run-local proj bad --store "$STORE" --data "$SAMPLE" --cover-type 3
expect_error "misspelt required flag" "--config is required" "--confg is not a flag of \`treeline jobs submit-tuning\`: did you mean --config?" -- \
  "$TREELINE" jobs submit-tuning a_job --confg x.yaml --store "$STORE"
expect_error "misspelt hyperparameter" "--n_estimator: unknown flag or hyperparameter; did you mean --n_estimators?" -- \
  "$TREELINE" run-local proj bad --store "$STORE" --data "$SAMPLE" --n_estimator=3
expect_error "thread count beyond XGBoost's" "--nthread: expected a whole number from 0 to 1024, found '99999'" -- \
  "$TREELINE" predict --models "$STORE/proj/run1" --data "$SAMPLE" --nthread 99999
expect_error "predict --out a folder" "--out $WORK: is a folder; expected the path of the CSV file to write" -- \
  "$TREELINE" predict --models "$STORE/proj/run1" --data "$SAMPLE" --out "$WORK"
expect_error "flag with an empty value" "--max_depth=: no value after '='" -- \
  "$TREELINE" run-local proj bad --store "$STORE" --data "$SAMPLE" --max_depth= --n_estimators=3
expect_error "store through a file" "cannot create $SAMPLE/st/proj/bad in the artifact store $SAMPLE/st: Not a directory (check --store)" -- \
  "$TREELINE" run-local proj bad --store "$SAMPLE/st" --data "$SAMPLE"
expect_error "empty store" "--store: expected a path, found an empty one" -- \
  "$TREELINE" run-local proj bad --store "" --data "$SAMPLE"
expect_error "config a folder" "--config $WORK: a folder; expected AI Platform's trainingInput YAML" -- \
  "$TREELINE" submit proj bad --store "$STORE" --data "$SAMPLE" --config "$WORK"
expect_error "predict --seed needs --test-split" "--seed requires --test-split" -- \
  "$TREELINE" predict --models "$STORE/proj/run1" --data "$SAMPLE" --seed 3
expect_error "database given as CSV" "a SQLite database, not CSV text" "--data sqlite:$WORK/w.db" -- \
  "$TREELINE" run-local proj bad --store "$STORE" --data "$WORK/w.db"
expect_error "dotdot name" "NAME '..'" -- "$TREELINE" run-local proj .. --store "$STORE" --data "$SAMPLE"
expect_error "bad query" "no such table" -- "$TREELINE" run-local proj bad --store "$STORE" --data "sqlite:$WORK/w.db" --query "SELECT * FROM nope"
expect_error "empty query result" "returned no rows" -- \
  "$TREELINE" run-local proj bad --store "$STORE" --data "sqlite:$WORK/w.db" --query "SELECT * FROM covertype WHERE 0"
if [ ! -e "$STORE/proj/bad" ]; then ok "nothing stored for failed runs"; else fail "failed runs left $STORE/proj/bad"; fi

# A tampered model is refused by predict.
model="$STORE/proj/run1/models/cover_type_5/model.json"
sed -i 's/"base_score":"[^"]*"/"base_score":"0.123"/' "$model"
expect_error "tampered model" "cover_type_5/model.json" "does not match its manifest" -- \
  "$TREELINE" predict --models "$STORE/proj/run1" --data "$SAMPLE"
# A model whose manifest was removed is not taken for a missing model.
rm "$STORE/proj/run1/models/cover_type_5/manifest.json"
expect_error "model without manifest" "cover_type_5: a model without its manifest.json" "run-local --cover-types 5" -- \
  "$TREELINE" predict --models "$STORE/proj/run1" --data "$SAMPLE"
expect_error "misspelt sqlite: scheme" "--data sqlit:$WORK/w.db: no such file; did you mean sqlite:$WORK/w.db?" -- \
  "$TREELINE" run-local proj bad --store "$STORE" --data "sqlit:$WORK/w.db"
expect_error "remote data" "--data gs://bucket/covertype.csv: no such file, and 'gs:' is not a kind of data treeline reads" \
  "(copy remote files here first)" -- "$TREELINE" run-local proj bad --store "$STORE" --data gs://bucket/covertype.csv
expect_error "data a folder" "$WORK: a folder; expected a CSV file" -- \
  "$TREELINE" run-local proj bad --store "$STORE" --data "$WORK"
{ gzip -dc "$SAMPLE" | head -1; gzip -dc "$SAMPLE" | grep ',4$'; } >"$WORK/only4.csv"
expect_error "one cover type only" "cover type 4: every row of the training split" "a one-vs-rest model needs rows of other cover types" -- \
  "$TREELINE" run-local proj one4 --store "$STORE" --data "$WORK/only4.csv" --n_estimators=3
# An id column carried through predict, and its output written into a pipe rather than over it.
{ printf 'Id,'; gzip -dc "$SAMPLE" | head -1; gzip -dc "$SAMPLE" | sed -n 2,4p | sed 's/^/row-/' | awk -F, '{ sub(/^row-/, "row-" NR ","); print }'; } >"$WORK/with-id.csv"
mkfifo "$WORK/out.fifo"
timeout 60 cat "$WORK/out.fifo" >"$WORK/from-fifo.csv" &
"$TREELINE" predict --models "$STORE/proj/run2" --data "$WORK/with-id.csv" --keep-columns Id --out "$WORK/out.fifo" >/dev/null 2>&1
wait
if [ -p "$WORK/out.fifo" ] && [ "$(head -1 "$WORK/from-fifo.csv" | cut -d, -f1)" = Id ] && \
   [ "$(sed -n 2p "$WORK/from-fifo.csv" | cut -d, -f1)" = row-1 ] && [ "$(wc -l <"$WORK/from-fifo.csv")" -eq 4 ]; then
  ok "predict --keep-columns into a pipe"; else fail "predict --keep-columns into a pipe: $(head -3 "$WORK/from-fifo.csv")"; fi
expect_error "predict with an extra column" "unexpected column(s) 'Id'" "predict --keep-columns NAME,... carries other columns through" -- \
  "$TREELINE" predict --models "$STORE/proj/run2" --data "$WORK/with-id.csv"
# Data from a pipe, compressed or not, as from a file.
piped=$(gzip -dc "$SAMPLE" | "$TREELINE" data load /dev/stdin --into "sqlite:$WORK/piped.db" 2>&1)
piped_gz=$(cat "$SAMPLE" | "$TREELINE" data load /dev/stdin --into "sqlite:$WORK/piped-gz.db" 2>&1)
if [[ "$piped" == "loaded 20000 rows from /dev/stdin"* && "$piped_gz" == "loaded 20000 rows from /dev/stdin"* ]]; then
  ok "data from a pipe"; else fail "data from a pipe: $piped / $piped_gz"; fi
expect_error "idle grace alone" "--idle-grace requires --exit-when-idle" -- "$TREELINE" agent --idle-grace 2 --store "$STORE"
expect_error "data load into a CSV file" "--into sqlite:$WORK/part.csv.gz: not a SQLite database file" -- \
  "$TREELINE" data load "$SAMPLE" --into "sqlite:$WORK/part.csv.gz"

finish
