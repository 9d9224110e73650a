"""The Managed Flink session job (``main.py``) and its pure-Python reference (``reference.py``)."""
