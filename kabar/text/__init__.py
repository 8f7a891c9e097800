"""Text: language detection, cleaning, sentence splitting and summarizing."""
