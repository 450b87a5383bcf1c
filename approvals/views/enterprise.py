"""Screens of the enterprise area (urlpatterns are collected by approvals/urls.py)."""

urlpatterns: list = []
