"""`python -m schedviz` is the `schedviz` command."""

import sys

from schedviz.cli import main

sys.exit(main())
