"""model.inlists: IN lists over a coerced array written back as ``x IN (...)``."""

from __future__ import annotations

import subprocess
import sys


def test_pglast_is_imported_only_for_an_in_list() -> None:
    """The live comparison's process imports this module for partition keys, and most
    have no IN list: pglast (30 ms of CPU to import) comes in only when one is read,
    and the list is written back as before."""
    code = (
        "import sys\n"
        "import schemagen.live.compare\n"
        "from schemagen.model.inlists import key_in_lists\n"
        "print(key_in_lists('RANGE (paid_on)') == 'RANGE (paid_on)', 'pglast' in sys.modules)\n"
        "printed = (\"LIST (((status)::text = ANY ((ARRAY['held'::character varying, \"\n"
        "           \"'paid'::character varying])::text[])))\")\n"
        "print(key_in_lists(printed), 'pglast' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.splitlines() == [
        "True False",
        "LIST (((status) IN ('held'::character varying, 'paid'::character varying))) True",
    ]
