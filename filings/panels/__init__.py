"""Dashboard panels by audience; each module registers its own panels on import."""
