"""Notifications: delivering the outbox of stage messages (알림톡, or the log).

The outbox itself belongs to the complaints core (sotong.complaints.outbox): every
recorded event queues one row there in the same transaction, and the chat reads it
through ``sotong.complaints.service``. This package only pushes those rows out:
``dispatcher.deliver_due`` claims, sends through a sender and records each result.
It imports the complaints core's outbox and API; the core never imports this package.
"""
