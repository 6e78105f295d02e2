"""Start the dashboard server: ``python -m dashboard.serve [streamlit run options]``.

What it serves is ``dashboard.gate``'s ``st.App``: the entry script ``dashboard/app.py`` behind the sign-in
gate (``streamlit run`` finds the App in that file and serves it with uvicorn).

Why not plain ``streamlit run dashboard/app.py``: that would serve every page without the gate, and the
layout keeps the pages in ``dashboard/pages/``, beside the entry script, which Streamlit treats as an
old-style (v1) multipage app until the entry script has run ``st.navigation`` once. So the very first
visitor of a freshly started server who follows a link to a page (``/ton_dong?huyen=…``) got that page file
run on its own — raw file names as the menu, no page configuration — or "Page not found". This launcher
tells Streamlit up front that the app uses ``st.navigation``, empties the upload folder a killed server
left, and starts the warm-up (``dashboard.warm``) that computes the default view before the first visitor
comes.
"""

from __future__ import annotations

import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

GATE = Path(__file__).with_name("gate.py")


def main() -> None:
    from dashboard import warm
    from dashboard.loading import clean_uploads

    PagesManager.uses_pages_directory = False
    clean_uploads()  # uploads a killed server left (raw files, personal data in clear)
    warm.start()
    sys.argv = ["streamlit", "run", str(GATE), *sys.argv[1:]]
    sys.exit(cli.main())


if __name__ == "__main__":
    main()
