"""The sandbox's CloudTrail: an event store (``events.py``) filled by every gated request and by
the sign-in simulation, read through ``LookupEvents`` (``lookup.py``) and a CloudTrail Lake
(``lake.py``, ``sql.py``); ``responses.py`` is the wire."""
