#!/usr/bin/env bash
# Set up, build the warehouse from data/sample/ when it is absent, and start the dashboard.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
db="${DVCQ_DB:-data/dvcq.duckdb}"
if [ ! -f "$db" ]; then
  echo "Đang xây dựng kho dữ liệu $db từ data/sample/ (khoảng một phút) ..."
  .venv/bin/dvcq ingest data/sample --db "$db" --quiet
else
  .venv/bin/dvcq upgrade --db "$db"
fi
port="${DVCQ_PORT:-8501}"
if [ -f dashboard/app.py ]; then
  echo "Mở trình duyệt tại: http://localhost:${port}"
  exec .venv/bin/python -m dashboard.serve --server.headless true --server.port "$port" \
    --browser.gatherUsageStats false
fi
.venv/bin/dvcq indicators --db "$db" --level district
