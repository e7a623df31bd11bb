"""Imports pages: the list of batches (administrators and compliance), upload and batch detail.

Uploaded files are saved under a fresh temporary folder with a cleaned base name (never a client-supplied
path), imported as one batch by the service, and deleted afterwards.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from panhuo.accounts.permissions import Capability, can
from panhuo.imports import selectors
from panhuo.imports.labels import batch_labels, profile_label
from panhuo.imports.services import ImportLocked, ImportRejected, ProfileError, StoreBusy, import_batch
from panhuo.ingest.profile import available_profiles

MAX_FILES = 20
MAX_UPLOAD_BYTES = 2 << 30     # one day's branch export is far smaller; bigger uploads go through the CLI
ALLOWED_SUFFIXES = (".csv", ".txt", ".xlsx", ".xls")
_UNSAFE = re.compile(r"[\x00-\x1f/\\:*?\"<>|]")


def safe_name(name: str) -> str | None:
    """The upload's base name if it is a plain file name we accept, else None."""
    base = Path(name.replace("\\", "/")).name.strip()
    if not base or base.startswith(".") or _UNSAFE.search(base) or len(base) > 120:
        return None
    return base if base.lower().endswith(ALLOWED_SUFFIXES) else None


@never_cache
@require_GET
def batch_list(request):
    batches = selectors.batches_for_user(user=request.user)
    for b in batches:
        b.profile_label = profile_label(b.profile)
    return render(request, "imports/list.html", {"batches": batches})


@never_cache
@require_GET
def batch_detail(request, batch_id: int):
    batch = selectors.batch_for_user(user=request.user, batch_id=batch_id)
    return render(request, "imports/detail.html", {"batch": batch, "labels": batch_labels(batch, lang=get_language())})


@never_cache
@require_GET
def batch_by_key(request, key: str):
    """A batch by key: loaded ones live in the operational store, the rest in the import journal."""
    batch = selectors.batch_by_key_for_user(user=request.user, key=key)
    return render(request, "imports/detail.html", {"batch": batch, "labels": batch_labels(batch, lang=get_language())})


@never_cache
@require_http_methods(["GET", "POST"])
def upload(request):
    if not can(request.user, Capability.RUN_IMPORT):      # hidden, like the list, from everyone else
        raise Http404
    profiles = available_profiles()
    # The options show each profile's label, never its key (an internal code); the key is the option's value.
    context = {"profiles": profiles, "profile_choices": [(p, profile_label(p)) for p in profiles],
               "selected": request.POST.get("profile", "generic")}
    if request.method == "GET":
        return render(request, "imports/upload.html", context)
    files = request.FILES.getlist("files")
    profile = request.POST.get("profile", "")
    names = [safe_name(f.name) for f in files]
    error = None
    if not files or len(files) > MAX_FILES:
        error = _("Choose between 1 and %(n)d files.") % {"n": MAX_FILES}
    elif sum(f.size for f in files) > MAX_UPLOAD_BYTES:
        error = _("The upload is too large; import files this big with the command line.")
    elif None in names or len(set(names)) != len(names):
        error = _("File names must be plain CSV or Excel names (.csv, .xlsx, .xls), each used once.")
    elif profile not in profiles:
        error = _("Unknown profile.")
    if error:
        context["error"] = error
        return render(request, "imports/upload.html", context, status=400)
    with tempfile.TemporaryDirectory(prefix="panhuo-upload-") as tmp:
        for f, name in zip(files, names, strict=True):
            with open(Path(tmp) / name, "wb") as out:
                for chunk in f.chunks():
                    out.write(chunk)
        try:
            batch = import_batch(paths=[Path(tmp)], profile=profile, user=request.user,
                                 quarantine=request.POST.get("quarantine") == "on",
                                 replace_dates=request.POST.get("replace_dates") == "on")
        except ImportRejected as exc:
            messages.error(request, _("The batch was rejected; nothing was written. See the problems below."))
            return redirect("imports:batch", key=exc.batch.key)
        except (ImportLocked, ProfileError) as exc:
            context["error"] = str(exc)
            return render(request, "imports/upload.html", context, status=409)
        except StoreBusy:
            # The daily run (or another job) holds the analytical store: nothing was written; a moment later works.
            context["error"] = _("An analysis job is running; try again shortly.")
            response = render(request, "imports/upload.html", context, status=503)
            response["Retry-After"] = "120"
            return response
    messages.success(request, batch.message)
    return redirect("imports:batch", key=batch.key)
