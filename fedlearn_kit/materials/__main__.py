"""``python -m fedlearn_kit.materials [action]``: the same as ``fedlearn-kit materials``."""

import sys

from fedlearn_kit.cli import main

sys.exit(main(["materials", *sys.argv[1:]]))
