"""Shared package of the four Lambda functions (see README.md)."""
