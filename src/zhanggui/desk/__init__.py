"""The daily desk: the front page a shop team opens each morning (today's stock worries, deliveries expected,
count sheets open, the orders card). It reads every app below it and nothing imports it but zhanggui/urls.py:
the desk moved out of `core`, which imports no domain app (docs/architecture.md)."""
