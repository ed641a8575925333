"""Run rootctl's CLI as an installation without extras would: the modules named (comma
separated) in ROOTCTL_BLOCKED_MODULES cannot be imported.

    ROOTCTL_BLOCKED_MODULES=fastapi,moto python tests/packaging/without_extras.py ui
    ROOTCTL_BLOCKED_MODULES=fastapi,moto python tests/packaging/without_extras.py -c 'CODE'
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec
from types import ModuleType

BLOCKED = frozenset(filter(None, os.environ.get("ROOTCTL_BLOCKED_MODULES", "").split(",")))


class NotInstalled(MetaPathFinder):
    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname.partition(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
        return None


sys.meta_path.insert(0, NotInstalled())

if __name__ == "__main__":
    if sys.argv[1:2] == ["-c"]:  # run Python code instead of the CLI
        exec(sys.argv[2])  # noqa: S102 - test code, from the test itself
    else:
        from rootctl.cli import main

        sys.argv[0] = "rootctl"
        main()
