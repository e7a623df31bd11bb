from panhuo import __version__
from panhuo.accounts.permissions import UserCapabilities


def panhuo(request):
    user = getattr(request, "user", None)
    return {
        "panhuo_version": __version__,
        "user_role_label": user.get_role_display() if user is not None and user.is_authenticated else "",
        # `{% if can.reassign %}`: templates ask the permissions table, never the role.
        "can": UserCapabilities(user),
    }
