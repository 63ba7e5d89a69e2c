"""Check the phonetics knowledge base after editing it: ``python -m inference_daemon.phonetics [file]``."""

import sys

from inference_daemon.phonetics.knowledge import main

sys.exit(main())
