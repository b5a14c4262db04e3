"""``python -m fedlearn_kit.materials``: see :mod:`fedlearn_kit.materials.command`."""

import sys

from fedlearn_kit.materials.command import main

sys.exit(main())
