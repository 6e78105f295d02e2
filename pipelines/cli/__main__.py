"""``python -m pipelines.cli`` runs the ``dvcq`` command."""

import sys

from pipelines.cli.main import main

sys.exit(main())
