"""Where graphs live. The embedded and remote stores arrive with the `kg serve` issue."""
