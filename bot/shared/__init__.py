"""Rasa-free code both servers import: clinic settings, the checklist's conditions, names."""
