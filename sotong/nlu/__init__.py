"""Korean NLU support: morphological analyzers and the Rasa tokenizer built on them."""
