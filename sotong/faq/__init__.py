"""The district's FAQ catalogue (civic core: no Rasa imports).

``catalogue`` loads and validates ``district/<name>/faq/*.yml``; ``guess`` finds the
closest topics and likely department for a question the bot cannot answer; ``build``
writes the Rasa training data generated from the catalogue.
"""

from sotong.faq.catalogue import Catalogue, CatalogueError, OnlineRoute, Topic, load_catalogue
from sotong.faq.guess import Guess, TopicIndex, index_for

__all__ = ["Catalogue", "CatalogueError", "OnlineRoute", "Topic", "load_catalogue", "Guess", "TopicIndex", "index_for"]
