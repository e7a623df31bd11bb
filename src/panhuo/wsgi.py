import os

from django.core.wsgi import get_wsgi_application

from panhuo.config import owner_only_files

owner_only_files()   # stores and logs written by the web process: owner-only, as from the CLI
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "panhuo.settings")
application = get_wsgi_application()
