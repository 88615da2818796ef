"""Run localstripe (a fake, stateful Stripe API server) for the tests: `python -m tests.localstripe_server --port N`.

localstripe saves its whole store to one fixed file (/tmp/localstripe.pickle) after every write;
several test runs on one machine would overwrite each other's, so this wrapper keeps the store in
memory only and always starts from scratch.
"""
from __future__ import annotations

import sys

from localstripe import resources, server


def main() -> None:
    resources.Store.dump_to_disk = lambda self: None
    resources.Store.try_load_from_disk = lambda self: None
    if "--from-scratch" not in sys.argv:
        sys.argv.append("--from-scratch")
    server.start()


if __name__ == "__main__":
    main()
