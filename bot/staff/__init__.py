"""Tools clinic staff run on the content and the conversations: content checks, review, report."""
