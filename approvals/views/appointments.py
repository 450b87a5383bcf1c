"""Screens of the appointments area (urlpatterns are collected by approvals/urls.py)."""

urlpatterns: list = []
