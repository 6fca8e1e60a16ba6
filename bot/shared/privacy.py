"""Names shared by the action server and the Rasa server for "delete my data" (no Rasa imports:
the action server's image has only rasa-sdk)."""

# When the tracker store saves a turn that ran this action, it deletes the conversation instead.
DELETE_ACTION = "action_delete_conversation"
# The custom message after it, so the chat widget forgets its copy in the visitor's browser.
CONVERSATION_DELETED = "conversation_deleted"
