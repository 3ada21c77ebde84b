"""``python -m parbrief …``: the same command line as the ``parbrief`` script."""

import sys

from parbrief.cli import main

sys.exit(main())
