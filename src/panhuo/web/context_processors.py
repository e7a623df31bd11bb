from panhuo import __version__


def panhuo(request):
    user = getattr(request, "user", None)
    return {
        "panhuo_version": __version__,
        "user_role_label": user.get_role_display() if user is not None and user.is_authenticated else "",
    }
