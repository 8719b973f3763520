#!/usr/bin/env bash
# `autometa recommend` on a 100,000 x 50 CSV, process start-up and reading the CSV included:
# a cold run (fresh AUTOMETA_HOME and cache) then a warm one, three times, interleaved.
#   bash benchmarks/recommend_cold_warm.sh            # alone
#   bash benchmarks/recommend_cold_warm.sh --load     # beside a CPU-bound process
set -euo pipefail
csv=${TMPDIR:-/tmp}/autometa_100000x50.csv
[ -f "$csv" ] || python -c "
import numpy as np, pandas as pd
rng = np.random.default_rng(0); X = rng.normal(size=(100000, 50))
df = pd.DataFrame(X, columns=[f'x{i}' for i in range(50)]); df['target'] = (X[:, 0] + X[:, 1] > 0).astype(int)
df.to_csv('$csv', index=False)"
if [ "${1:-}" = "--load" ]; then python -c "while True: pass" & busy=$!; trap 'kill $busy' EXIT; fi
run() { local s e; s=$(date +%s.%N); AUTOMETA_HOME=$1 autometa recommend "$csv" --target target > /dev/null 2>&1; e=$(date +%s.%N)
        python -c "print(f'{$e - $s:.2f}')"; }
for i in 1 2 3; do
  home=$(mktemp -d)
  echo "cold $(run "$home")  warm $(run "$home")"
  rm -rf "$home"
done
