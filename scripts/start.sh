#!/usr/bin/env bash
# Set up, build the warehouse from data/sample/ when it is absent, and start the dashboard.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
db="${DVCQ_DB:-data/dvcq.duckdb}"
if [ ! -f "$db" ]; then
  echo "Đang xây dựng kho dữ liệu $db từ data/sample/ (khoảng một phút) ..."
  .venv/bin/dvcq ingest data/sample --db "$db" --quiet
  # One account per role, each with a one-time password printed once: nobody signs in without one.
  .venv/bin/dvcq users sample --db "$db"
else
  .venv/bin/dvcq upgrade --db "$db"
  if .venv/bin/python -c "import sys; from pipelines.cli.users import store_for; from schemas.config import load_config
sys.exit(not store_for(sys.argv[1], load_config()).has_accounts())" "$db"; then
    echo "Tài khoản: xem bằng .venv/bin/dvcq users list --db $db; đặt lại mật khẩu: .venv/bin/dvcq users password LOGIN --db $db"
  else
    echo "Chưa có tài khoản nào nên không ai đăng nhập được: tạo bằng .venv/bin/dvcq users add LOGIN --role quan_tri --db $db"
  fi
fi
port="${DVCQ_PORT:-8501}"
if [ -f dashboard/app.py ]; then
  echo "Mở trình duyệt tại: http://localhost:${port}"
  exec .venv/bin/python -m dashboard.serve --server.headless true --server.port "$port" \
    --browser.gatherUsageStats false
fi
.venv/bin/dvcq indicators --db "$db" --level district
