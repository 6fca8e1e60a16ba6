"""Names for what a channel adds to a message's metadata, read by the NLU pipeline."""

# A long message's whole text: the classifiers read its first part, the safety check all of it.
FULL_TEXT = "full_text"
