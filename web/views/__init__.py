"""What pages show, as plain data read from a snapshot: the templates of ``web.pages`` render it.

Importing the package imports the modules that register page sections (``notes``, ``iati``), so
an entity page has its sections whoever asks for it; ``entity`` and ``sections`` import neither.
"""
from web.views import iati, notes  # noqa: F401 - imported for their @section registrations
