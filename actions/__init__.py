"""Custom actions: thin adapters from the dialogue to the civic core (sotong/).

One module per concern. Actions read slots and the latest message, call the core,
and utter responses defined in data/responses/ — they never hold Korean sentences.
"""

from sotong import logmask

logmask.install()  # phone numbers masked in the action server's logs, whichever way it is started
