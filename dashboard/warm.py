"""Warm start: as soon as the server runs, compute the default view's figures into the shared caches,
so the first visitor of a freshly started server does not wait for them.

Started by ``dashboard.serve`` in a background thread. ``st.cache_data`` is process-wide once the
Streamlit runtime exists, so what this thread computes is what every session then reads. A warehouse
that is missing or needs ``dvcq upgrade`` is left alone: the pages explain it.
"""

from __future__ import annotations

import logging
import sys
import threading
import time

log = logging.getLogger("dvcq.warm")


def start() -> threading.Thread:
    thread = threading.Thread(target=_run, name="dvcq-warm", daemon=True)
    thread.start()
    return thread


def _run() -> None:
    from streamlit.runtime import Runtime

    while not Runtime.exists():  # the caches belong to the runtime: wait for it
        time.sleep(0.1)
    # This thread has no browser session by design; Streamlit would warn about it on every cached call.
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)
    from dashboard import data, filters, views  # the pages' own modules, imported once for everyone

    started = time.perf_counter()
    try:
        if not (data.has_warehouse() and data.is_current() and data.has_records()):
            print("dvcq: không tính sẵn: chưa có kho, kho cần `dvcq upgrade` hoặc kho chưa có bản ghi "
                  "(các trang nói rõ)", file=sys.stderr)
            return
        views.warm(filters.default_filters())
    except Exception:  # noqa: BLE001 - a failed warm-up only costs the first visitor time
        log.exception("warm-up failed; pages compute on first visit")
        return
    print(f"dvcq: số liệu của trang mặc định đã tính sẵn trong {time.perf_counter() - started:.1f} s", file=sys.stderr)
