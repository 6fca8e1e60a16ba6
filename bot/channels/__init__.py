"""Input channels (credentials.yml, environment variables): REST, the widget, messaging."""
