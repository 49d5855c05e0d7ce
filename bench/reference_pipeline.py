#!/usr/bin/python3
"""Reference implementation of the workshop's Python pipeline, for benchmarking treeline.

This is what the seed's `run_local.py` does, minus the cloud services:

  1. prepare: read the warehouse-schema CSV (pandas) and derive, for each cover
     type K in 1..7, a data set with the binary label Cover_Type == K, stored as
     CSV under --out/datasets/ (the seed exports one table per cover type from
     BigQuery to its bucket); each cover type's steps below read its data set
     back, as the seed's train_evaluate does. `--datasets memory` skips the
     files and keeps one frame in memory instead: leaner than the seed, shown by
     the benchmark for comparison;
  2. split: ONE train/test split shared by all seven data sets, 80/20,
     stratified by Cover_Type, random_state=42 (sklearn train_test_split);
  3. preprocess: a ColumnTransformer with StandardScaler on the 10 numeric
     columns and OneHotEncoder(handle_unknown='ignore') on Wilderness_Area and
     Soil_Type, fitted on the training split (once per cover type, as the seed's
     per-data-set train_evaluate does);
  4. train: xgboost XGBClassifier(tree_method='hist', random_state=42, ...);
  5. evaluate: accuracy and F1 (positive class = "is cover type K") on the
     test split;
  6. store: the fitted preprocessor (joblib) and the model (XGBoost JSON) per
     cover type under --out, the same I/O the seed does against its bucket.

stdout carries exactly one JSON document, the same shape as
`treeline run-local ... --json`:

    {"results": [{"cover_type": 1, "accuracy": ..., "f1": ...}, ...]}

Progress and per-step timings go to stderr.

Run it with /usr/bin/python3 (Debian's python3-pandas, python3-sklearn and
python3-xgboost live there).
"""

import argparse
import json
import os
import sys
import time

NUMERIC_COLUMNS = [
    "Elevation",
    "Aspect",
    "Slope",
    "Horizontal_Distance_To_Hydrology",
    "Vertical_Distance_To_Hydrology",
    "Horizontal_Distance_To_Roadways",
    "Hillshade_9am",
    "Hillshade_Noon",
    "Hillshade_3pm",
    "Horizontal_Distance_To_Fire_Points",
]
CATEGORICAL_COLUMNS = ["Wilderness_Area", "Soil_Type"]
LABEL_COLUMN = "Cover_Type"
COVER_TYPES = range(1, 8)

# Some copies of the warehouse schema use the short spellings (see data/README).
WILDERNESS_SPELLINGS = {"Commanche": "Commanche Peak", "Cache": "Cache la Poudre"}


def log(msg):
    print(f"[reference] {msg}", file=sys.stderr, flush=True)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", required=True, help="CSV or CSV.gz in the warehouse schema")
    p.add_argument("--out", required=True, help="directory for preprocessors and models")
    p.add_argument("--nthread", type=int, default=2, help="XGBoost n_jobs (default 2)")
    p.add_argument("--n-estimators", type=int, default=100)
    p.add_argument("--max-depth", type=int, default=6)
    p.add_argument("--learning-rate", type=float, default=0.3)
    p.add_argument("--seed", type=int, default=42, help="split and model seed (default 42)")
    p.add_argument("--test-size", type=float, default=0.2)
    p.add_argument("--datasets", choices=("stored", "memory"), default="stored",
                   help="stored: one CSV per cover type written and read back, as the seed does "
                        "(default); memory: one in-memory frame shared by all seven")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    t_start = time.perf_counter()

    import joblib
    import pandas as pd
    import sklearn
    import xgboost
    from sklearn.compose import ColumnTransformer
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import OneHotEncoder, StandardScaler
    from xgboost import XGBClassifier

    log(
        f"python {sys.version.split()[0]}, pandas {pd.__version__}, "
        f"sklearn {sklearn.__version__}, xgboost {xgboost.__version__}; "
        f"imports {time.perf_counter() - t_start:.2f}s"
    )

    # 1. prepare
    t = time.perf_counter()
    df = pd.read_csv(args.data)  # compression inferred from the suffix
    missing = [c for c in NUMERIC_COLUMNS + CATEGORICAL_COLUMNS + [LABEL_COLUMN] if c not in df.columns]
    if missing:
        sys.exit(f"reference_pipeline: {args.data}: missing columns {missing}")
    df["Wilderness_Area"] = df["Wilderness_Area"].replace(WILDERNESS_SPELLINGS)
    df = df[NUMERIC_COLUMNS + CATEGORICAL_COLUMNS + [LABEL_COLUMN]]
    log(f"read {len(df)} rows in {time.perf_counter() - t:.2f}s")
    os.makedirs(args.out, exist_ok=True)
    dataset_paths = {}
    if args.datasets == "stored":
        t = time.perf_counter()
        os.makedirs(os.path.join(args.out, "datasets"), exist_ok=True)
        for k in COVER_TYPES:
            dataset_paths[k] = os.path.join(args.out, "datasets", f"cover_type_{k}.csv")
            df.assign(label=(df[LABEL_COLUMN] == k).astype(int)).to_csv(dataset_paths[k], index=False)
        log(f"stored {len(COVER_TYPES)} data sets in {time.perf_counter() - t:.2f}s")

    def split(frame):
        """2. split: the same rows for every cover type (same order, same strata, same seed)."""
        cover = frame[LABEL_COLUMN].to_numpy()
        return train_test_split(frame[NUMERIC_COLUMNS + CATEGORICAL_COLUMNS], cover,
                                test_size=args.test_size, stratify=cover, random_state=args.seed)

    if args.datasets == "memory":
        t = time.perf_counter()
        shared_split = split(df)
        log(f"split {len(shared_split[0])}/{len(shared_split[1])} in {time.perf_counter() - t:.2f}s")

    results = []
    for k in COVER_TYPES:
        t_k = time.perf_counter()
        if args.datasets == "stored":
            X_train, X_test, y_train_cover, y_test_cover = split(pd.read_csv(dataset_paths[k]))
        else:
            X_train, X_test, y_train_cover, y_test_cover = shared_split
        y_train = (y_train_cover == k).astype(int)
        y_test = (y_test_cover == k).astype(int)

        # 3. preprocess
        preprocessor = ColumnTransformer(
            transformers=[
                ("num", StandardScaler(), NUMERIC_COLUMNS),
                ("cat", OneHotEncoder(handle_unknown="ignore"), CATEGORICAL_COLUMNS),
            ]
        )
        Xt_train = preprocessor.fit_transform(X_train)
        Xt_test = preprocessor.transform(X_test)

        # 4. train
        model = XGBClassifier(
            n_estimators=args.n_estimators,
            max_depth=args.max_depth,
            learning_rate=args.learning_rate,
            tree_method="hist",
            n_jobs=args.nthread,
            random_state=args.seed,
        )
        model.fit(Xt_train, y_train)

        # 5. evaluate
        pred = model.predict(Xt_test)
        acc = float(accuracy_score(y_test, pred))
        f1 = float(f1_score(y_test, pred, zero_division=0))

        # 6. store
        kdir = os.path.join(args.out, f"cover_type_{k}")
        os.makedirs(kdir, exist_ok=True)
        joblib.dump(preprocessor, os.path.join(kdir, "preprocessor.joblib"))
        model.save_model(os.path.join(kdir, "model.json"))

        results.append({"cover_type": k, "accuracy": acc, "f1": f1})
        log(f"cover_type {k}: accuracy {acc:.4f} f1 {f1:.4f} ({time.perf_counter() - t_k:.2f}s)")

    log(f"total {time.perf_counter() - t_start:.2f}s")
    json.dump({"results": results}, sys.stdout)
    sys.stdout.write("\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
