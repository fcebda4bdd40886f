"""python -m zhanggui.core.build_native [--strict]: compile the groups of core/native.py with mypyc (ADR 0005)."""

import sys

from zhanggui.core.native import main

if __name__ == "__main__":
    sys.exit(main())
