"""Running the server: start-up (local and production), endpoint settings, stores, retention."""
