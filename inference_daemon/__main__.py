"""``python -m inference_daemon``: see :mod:`inference_daemon.cli`."""

from inference_daemon.cli import main

raise SystemExit(main())
