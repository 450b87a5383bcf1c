"""The web interface, one module per audience; each module declares its own urlpatterns."""
