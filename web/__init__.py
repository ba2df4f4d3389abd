"""The web wing: thin HTTP handlers over the ``kg`` library (``web.app.create_app``)."""
