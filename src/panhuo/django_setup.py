"""Start Django from the CLI or a script, once."""

import os

_ready = False


def setup() -> None:
    global _ready
    if _ready:
        return
    from panhuo.config import owner_only_files

    owner_only_files()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "panhuo.settings")
    import django

    django.setup()
    _ready = True
