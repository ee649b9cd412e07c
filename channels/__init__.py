"""Sending things out, knowing no models: outbound HTTP with its SSRF guard, and one transport
per channel behind one interface. Callers build the typed messages (``channels.messages``);
this package imports only Django, settings and libraries, never a domain app."""
