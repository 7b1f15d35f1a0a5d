"""The WSGI application that ``despatch serve`` hands to the server."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "despatch.settings")

application = get_wsgi_application()
