"""Warm start: as soon as the server runs, compute the default view's figures into the shared caches,
so the first visitor of a freshly started server does not wait for them.

Started by ``dashboard.serve`` in a background thread. ``st.cache_data`` is process-wide once the
Streamlit runtime exists, so what this thread computes is what every session then reads. A warehouse
that is missing or needs ``dvcq upgrade`` is left alone: the pages explain it.
"""

from __future__ import annotations

import gc
import logging
import sys
import threading
import time

import streamlit as st

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
    # The pages' own modules, imported once for everyone (the report's Word writer alone takes 0.1 s).
    from dashboard import data, filters, report, views  # noqa: F401

    # Streamlit looks, once per process and at the first element made, whether it runs in a REPL, by
    # reading the source of the whole call stack (~0.1 s): let it look here, not in a visitor's run.
    st.empty()
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
    finally:
        # Streamlit collects garbage fully after every run of every session, holding the interpreter
        # while the page's last elements wait to be sent (0.1–0.3 s on this heap). What exists now
        # (modules, the warmed figures) lives as long as the server: set it aside from those sweeps.
        gc.freeze()
    print(f"dvcq: số liệu của trang mặc định đã tính sẵn trong {time.perf_counter() - started:.1f} s", file=sys.stderr)
