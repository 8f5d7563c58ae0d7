"""Renderers shared by the app and the exporters. Model output is untrusted in all of them."""
