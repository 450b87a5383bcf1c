"""Screens of the officer area (urlpatterns are collected by approvals/urls.py)."""

urlpatterns: list = []
