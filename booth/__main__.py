"""``python -m booth`` runs the same entry point as the ``booth`` command."""

import sys

from booth.cli import main

sys.exit(main())
