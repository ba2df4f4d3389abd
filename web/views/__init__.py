"""What pages show, as plain data read from a snapshot: the templates of ``web.pages`` render it."""
