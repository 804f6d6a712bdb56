"""Notifications: the outbox of stage messages and their delivery (알림톡, logs, in chat).

Every complaint transition queues one row in the outbox (same transaction as the
change, so nothing is lost or invented); ``dispatcher.deliver_due`` pushes them
through a sender and retries with back-off; ``outbox.pending_in_chat`` hands the
same messages to the chat the next time the resident talks to the bot.
"""
