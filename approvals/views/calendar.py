"""Screens of the calendar area (urlpatterns are collected by approvals/urls.py)."""

urlpatterns: list = []
