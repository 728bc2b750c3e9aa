"""A Textual terminal app that logs in without a password, as a native Auth0 client.

`client.py` is the protocol (read it first), `screens.py` and `app.py` the interface.
Run it with `python -m native_tui_app` (or `make run-native`, which starts a tenant too).
"""
