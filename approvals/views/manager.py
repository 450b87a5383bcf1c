"""Screens of the manager area (urlpatterns are collected by approvals/urls.py)."""

urlpatterns: list = []
