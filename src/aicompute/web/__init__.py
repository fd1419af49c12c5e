"""The local web app (the web extra): explorer, records, calculator, shared store."""

from aicompute.web.app import create_app

__all__ = ["create_app"]
