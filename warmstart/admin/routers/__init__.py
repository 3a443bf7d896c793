"""One router per surface of the admin API."""
