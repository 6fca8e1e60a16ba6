"""The cryotherapy assistant's own Python package: settings, NLU components, channel."""
