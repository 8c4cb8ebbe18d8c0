"""The password policy's messages, and zxcvbn's feedback (English text exactly as zxcvbn gives
it: :mod:`dashboard.security.passwords` finds the key by that text)."""

from __future__ import annotations

EN: dict[str, str] = {
    "password.too_short": "the password must have at least {n} characters",
    "password.too_long": "the password must have at most {n} characters",
    "password.like_username": "the password must not contain or resemble the username",
    "password.guessable": (
        "the password is too easy to guess (about {guesses} guesses; at least {needed} needed):"
    ),
    "password.zxcvbn.few_words": "Use a few words, avoid common phrases.",
    "password.zxcvbn.no_symbols": "No need for symbols, digits, or uppercase letters.",
    "password.zxcvbn.add_word": "Add another word or two. Uncommon words are better.",
    "password.zxcvbn.key_rows": "Straight rows of keys are easy to guess.",
    "password.zxcvbn.key_patterns": "Short keyboard patterns are easy to guess.",
    "password.zxcvbn.longer_pattern": "Use a longer keyboard pattern with more turns.",
    "password.zxcvbn.repeats_char": 'Repeats like "aaa" are easy to guess.',
    "password.zxcvbn.repeats_word": (
        'Repeats like "abcabcabc" are only slightly harder to guess than "abc".'
    ),
    "password.zxcvbn.avoid_repeats": "Avoid repeated words and characters.",
    "password.zxcvbn.sequences": 'Sequences like "abc" or "6543" are easy to guess.',
    "password.zxcvbn.avoid_sequences": "Avoid sequences.",
    "password.zxcvbn.recent_years": "Recent years are easy to guess.",
    "password.zxcvbn.avoid_recent_years": "Avoid recent years.",
    "password.zxcvbn.avoid_your_years": "Avoid years that are associated with you.",
    "password.zxcvbn.dates": "Dates are often easy to guess.",
    "password.zxcvbn.avoid_dates": "Avoid dates and years that are associated with you.",
    "password.zxcvbn.top10": "This is a top-10 common password.",
    "password.zxcvbn.top100": "This is a top-100 common password.",
    "password.zxcvbn.very_common": "This is a very common password.",
    "password.zxcvbn.similar_common": "This is similar to a commonly used password.",
    "password.zxcvbn.single_word": "A word by itself is easy to guess.",
    "password.zxcvbn.names": "Names and surnames by themselves are easy to guess.",
    "password.zxcvbn.common_names": "Common names and surnames are easy to guess.",
    "password.zxcvbn.capitals": "Capitalization doesn't help very much.",
    "password.zxcvbn.uppercase": "All-uppercase is almost as easy to guess as all-lowercase.",
    "password.zxcvbn.reversed": "Reversed words aren't much harder to guess.",
    "password.zxcvbn.substitutions": (
        "Predictable substitutions like '@' instead of 'a' don't help very much."
    ),
}

ZH: dict[str, str] = {
    "password.too_short": "密码至少需要 {n} 个字符",
    "password.too_long": "密码最多 {n} 个字符",
    "password.like_username": "密码不能包含用户名或与用户名相似",
    "password.guessable": "密码太容易被猜到（约 {guesses} 次猜测；至少需要 {needed} 次）：",
    "password.zxcvbn.few_words": "使用几个单词，避免常见短语。",
    "password.zxcvbn.no_symbols": "不必使用符号、数字或大写字母。",
    "password.zxcvbn.add_word": "再加一两个单词，不常见的单词更好。",
    "password.zxcvbn.key_rows": "键盘上连成一行的按键很容易被猜到。",
    "password.zxcvbn.key_patterns": "短的键盘图案很容易被猜到。",
    "password.zxcvbn.longer_pattern": "使用更长、转折更多的键盘图案。",
    "password.zxcvbn.repeats_char": "像“aaa”这样的重复很容易被猜到。",
    "password.zxcvbn.repeats_word": "像“abcabcabc”这样的重复只比“abc”难猜一点点。",
    "password.zxcvbn.avoid_repeats": "避免重复的单词和字符。",
    "password.zxcvbn.sequences": "像“abc”或“6543”这样的序列很容易被猜到。",
    "password.zxcvbn.avoid_sequences": "避免使用序列。",
    "password.zxcvbn.recent_years": "最近的年份很容易被猜到。",
    "password.zxcvbn.avoid_recent_years": "避免使用最近的年份。",
    "password.zxcvbn.avoid_your_years": "避免使用与你有关的年份。",
    "password.zxcvbn.dates": "日期往往很容易被猜到。",
    "password.zxcvbn.avoid_dates": "避免使用与你有关的日期和年份。",
    "password.zxcvbn.top10": "这是最常见的 10 个密码之一。",
    "password.zxcvbn.top100": "这是最常见的 100 个密码之一。",
    "password.zxcvbn.very_common": "这是一个非常常见的密码。",
    "password.zxcvbn.similar_common": "这与一个常用密码相似。",
    "password.zxcvbn.single_word": "单独一个单词很容易被猜到。",
    "password.zxcvbn.names": "单独的名字和姓氏很容易被猜到。",
    "password.zxcvbn.common_names": "常见的名字和姓氏很容易被猜到。",
    "password.zxcvbn.capitals": "首字母大写帮助不大。",
    "password.zxcvbn.uppercase": "全部大写几乎和全部小写一样容易被猜到。",
    "password.zxcvbn.reversed": "把单词倒过来写并不会难猜多少。",
    "password.zxcvbn.substitutions": "用“@”代替“a”这类可预见的替换帮助不大。",
}
