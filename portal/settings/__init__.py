"""Settings for the portal, one module per environment.

``base`` holds everything shared and reads the environment; ``dev`` is the embedded
default (SQLite, filesystem broker), ``test`` is used by pytest and ``production`` refuses
to start without its secrets.
"""
