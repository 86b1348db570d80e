//! Pure: Hindi, Urdu and Punjabi written in Latin letters ("Yeh Rishta Kya Kehlata Hai", "Yaar
//! Da Vyaah"), common in South Asian titles. whatlang knows them only in their own scripts and
//! would call such a title English or something stranger; their grammar words give them away.

use std::sync::OnceLock;

use rustc_hash::FxHashSet;

/// Romanized Hindustani words that are not also English words (no "the", "me", "main", "par",
/// "do"): postpositions, pronouns, auxiliaries and the commonest verbs, adverbs and nouns.
const WORDS: &[&str] = &[
    "aa", "aaj", "aaja", "aana", "aansu", "aap", "aapka", "aapke", "aaye", "aayi", "ab", "abhi",
    "accha", "achha", "agar", "ankhen", "apna", "apne", "apni", "aur", "baad", "baarish", "baat",
    "bada", "badi", "bahu", "bahut", "bana", "banaya", "barsaat", "beta", "beti", "bhagwan",
    "bhagya", "bhai", "bhi", "bola", "bole", "bolo", "bura", "buri", "chaand", "chahiye", "chal",
    "chale", "chalo", "chhod", "dard", "dekh", "dekha", "dekhiye", "dekhna", "dekho", "dhadkan",
    "dhokha", "dil", "diya", "dost", "dosti", "dulha", "dulhan", "duniya", "dushman", "ek",
    "gaana", "gaon", "gaya", "gaye", "gayi", "ghar", "haar", "hai", "hain", "hamara", "hamare",
    "hamari", "ho", "hoga", "hogi", "hogya", "hoke", "hona", "hoon", "hota", "hoti", "hua", "hui",
    "hum", "humara", "humein", "humsafar", "intezaar", "ishq", "iska", "iski", "izzat", "jaan",
    "jaana", "jaane", "jab", "jana", "jaye", "jeena", "jeet", "jeevan", "jo", "ka", "kaam", "kab",
    "kabhi", "kahaani", "kahan", "kahani", "kaise", "kaisi", "kal", "kar", "karke", "karna",
    "karo", "karte", "kasam", "kaun", "ke", "kehlata", "khatam", "khoon", "khushi", "ki", "kisi",
    "kiski", "kismat", "kitna", "kiya", "ko", "kuch", "kya", "kyon", "kyu", "kyun", "ladka",
    "ladki", "laga", "lage", "lagi", "liye", "maa", "maine", "mard", "mat", "mein", "mera", "mere",
    "meri", "mohabbat", "mujhe", "na", "naam", "nahi", "nahin", "naseeb", "naya", "nayi", "nhi",
    "pani", "parivaar", "pe", "pehla", "pehli", "phir", "prem", "pyaar", "pyar", "raasta", "raat",
    "raha", "rahe", "rahi", "rakh", "rakhna", "saas", "saath", "sab", "sabse", "sach", "sadak",
    "safar", "sajan", "sakta", "sakte", "sapna", "sapne", "sasural", "sawan", "se", "shaadi",
    "suno", "tak", "tera", "tere", "teri", "tha", "thi", "tu", "tujhe", "tum", "tumhara",
    "tumhari", "tumhe", "unka", "uska", "uski", "wala", "wale", "wali", "waqt", "wo", "woh",
    "yaar", "ye", "yeh", "zara", "zinda", "zindagi",
];

/// Romanized Punjabi words Hindi does not use (its genitive da/di/de and postpositions nu, te,
/// vich, naal; pronouns; the commonest nouns and verbs of song titles). They count only where
/// Punjabi is expected, and the short ones ([`SHORT_PUNJABI`]), which are also Romance function
/// words ("Resumen de Atlético de Madrid"), only beside another Hindustani or Punjabi word.
const PUNJABI: &[&str] = &[
    "assi", "da", "de", "di", "diyan", "gal", "gallan", "hunda", "hundi", "jaanda", "jaandi",
    "jatt", "jatti", "karda", "kardi", "kithe", "kiven", "kudi", "kudiyan", "mainu", "munda",
    "munde", "naal", "nu", "pind", "sanu", "sohna", "sohni", "tainu", "te", "tenu", "tusi", "ve",
    "viah", "vich", "vyaah",
];

/// [`WORDS`] as a set.
fn words() -> &'static FxHashSet<&'static str> {
    static SET: OnceLock<FxHashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| WORDS.iter().copied().collect())
}

/// Punjabi words that Spanish, Portuguese or Italian also write.
const SHORT_PUNJABI: &[&str] = &["da", "de", "di", "nu", "te", "ve"];

/// [`PUNJABI`] as a set.
fn punjabi() -> &'static FxHashSet<&'static str> {
    static SET: OnceLock<FxHashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| PUNJABI.iter().copied().collect())
}

/// `hi` (or `ur` where Urdu leads the region's languages, or `pa` where Punjabi is expected and
/// its words are at least as many as Hindi's) when Latin words read as Hindustani or Punjabi: at
/// least two of their words, or one in a title of at most three words, and at least a fifth of
/// the words. Only where the region expects Hindi or Urdu (`prior`). `lower`: the words in lower
/// case. With the code, how many of the words were Hindustani or Punjabi.
pub fn detect(lower: &str, prior: &[&str]) -> Option<(&'static str, usize)> {
    let code = match prior.iter().find(|l| matches!(**l, "hi" | "ur"))? {
        _ if prior.first() == Some(&"ur") => "ur",
        _ => "hi",
    };
    let with_punjabi = prior.contains(&"pa");
    let (words, punjabi) = (words(), punjabi());
    let (mut total, mut hindi, mut panjabi, mut short) = (0, 0, 0, 0);
    for word in lower.split(' ') {
        total += 1;
        hindi += usize::from(words.contains(word));
        if with_punjabi && punjabi.contains(word) {
            panjabi += 1;
            short += usize::from(SHORT_PUNJABI.contains(&word));
        }
    }
    if short == panjabi && hindi == 0 {
        panjabi = 0;
    }
    let hits = hindi + panjabi;
    let enough = hits >= 2 || (hits == 1 && total <= 3);
    if !(enough && hits * 5 >= total) {
        return None;
    }
    let code = if panjabi > 0 && panjabi * 2 >= hindi {
        "pa"
    } else {
        code
    };
    Some((code, hits))
}

/// Whether a lower-case word is romanized Hindustani or Punjabi (either list).
pub fn is_word(lower: &str) -> bool {
    words().contains(lower) || punjabi().contains(lower)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detect_mixed(words: &str, prior: &[&str]) -> Option<&'static str> {
        detect(&words.to_lowercase(), prior).map(|(code, _)| code)
    }

    #[test]
    fn word_lists_are_sorted_unique_and_disjoint() {
        assert!(WORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(PUNJABI.windows(2).all(|w| w[0] < w[1]));
        assert!(PUNJABI.iter().all(|w| !WORDS.contains(w)));
    }

    #[test]
    fn punjabi_in_latin_letters_where_expected() {
        let india = ["hi", "en", "ta", "pa"];
        assert_eq!(detect_mixed("Yaar Da Vyaah", &india), Some("pa"));
        assert_eq!(
            detect_mixed("Jatti Jaandi Kambi Mahi Sharma", &india),
            Some("pa")
        );
        assert_eq!(detect_mixed("Dil Diyan Gallan Song", &india), Some("pa"));
        assert_eq!(detect_mixed("Kasam Tere Pyaar Ki", &india), Some("hi"));
        assert_eq!(detect_mixed("Yaar Da Vyaah", &["hi", "en"]), Some("hi"));
        assert_eq!(
            detect_mixed("Resumen de Villarreal CF vs FC Barcelona", &india),
            None
        );
    }

    #[test]
    fn hindustani_in_latin_letters() {
        let india = ["hi", "en", "ta"];
        assert_eq!(
            detect_mixed("Yeh Rishta Kya Kehlata Hai", &india),
            Some("hi")
        );
        assert_eq!(detect_mixed("Nanaji Ki Aatma", &india), Some("hi"));
        assert_eq!(detect_mixed("Bhagya Rekha", &india), Some("hi"));
        assert_eq!(
            detect_mixed("Meri Zindagi Ka Safar Hai", &["ur", "en", "hi"]),
            Some("ur")
        );
        assert_eq!(
            detect_mixed("Anushka Sharma Family Seen at Mumbai Airport", &india),
            None
        );
        assert_eq!(
            detect_mixed("Yeh Rishta Kya Kehlata Hai", &["en", "fr"]),
            None,
            "only where Hindi or Urdu is expected"
        );
    }
}
