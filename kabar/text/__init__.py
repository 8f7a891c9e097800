"""Text: language detection, cleaning, sentence splitting and summarizing.

language.detect_language   which language an article is in (py3langid, offline)
clean.clean_text           boilerplate out: datelines, bylines, captions, "Baca juga", prompts
sentences.split_sentences  sentences per language, knowing Indonesian titles and abbreviations
words.words                word tokens; tokenizer.Tokenizer gives sumy sentences and words
stem.stemmer, stopwords.stop_words   Snowball stemmers and stopwords-iso lists per language
summarize.summarize        the extractive summary: news features + sumy TextRank, learned weights
"""
