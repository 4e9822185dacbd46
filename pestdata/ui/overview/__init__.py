"""The leadership overview: its state, decided without widgets (state.py), and the widgets
that draw it (page.py)."""
