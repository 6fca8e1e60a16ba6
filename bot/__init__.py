"""The assistant's code, one subpackage per place it runs (see the README, "Where things are")."""
