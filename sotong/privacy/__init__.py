"""Personal data kept no longer than promised: phone verification codes, the retention
purge (complaints, residents' numbers, Rasa's tracker store) and scrubbing a withdrawn
number from every place it was written. Plain SQL for Rasa's ``events`` table: the civic
core imports nothing from Rasa."""
