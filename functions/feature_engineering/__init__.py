"""The SageMaker processing step of the feature-engineering pipeline (``processing.py``)."""
