//! Pure: Hindi and Urdu written in Latin letters ("Yeh Rishta Kya Kehlata Hai"), common in South
//! Asian titles. whatlang knows Hindi only in Devanagari and would call such a title English or
//! something stranger; its grammar words give it away.

use std::sync::OnceLock;

use rustc_hash::FxHashSet;

/// Romanized Hindustani words that are not also English words (no "the", "me", "main", "par",
/// "do"): postpositions, pronouns, auxiliaries and the commonest verbs, adverbs and nouns.
const WORDS: &[&str] = &[
    "aaj", "aana", "aap", "aapka", "aapke", "accha", "achha", "agar", "apna", "apne", "apni",
    "aur", "baad", "baat", "bahu", "bahut", "bana", "banaya", "beta", "beti", "bhai", "bhi",
    "bola", "bole", "bolo", "bura", "buri", "chahiye", "chalo", "dekh", "dekhna", "dekho", "dil",
    "diya", "dost", "dosti", "duniya", "ek", "gaana", "gaya", "gaye", "gayi", "ghar", "haar",
    "hai", "hain", "ho", "hoga", "hogi", "hogya", "hoke", "hona", "hoon", "hota", "hoti", "hua",
    "hui", "hum", "humein", "iska", "iski", "jaana", "jab", "jana", "jaye", "jeet", "ka", "kab",
    "kabhi", "kahan", "kahani", "kaise", "kaisi", "kar", "karke", "karna", "karo", "karte", "kaun",
    "ke", "kehlata", "ki", "kisi", "kiski", "kiya", "ko", "kuch", "kya", "kyu", "kyun", "ladka",
    "ladki", "laga", "lage", "lagi", "liye", "maa", "maine", "mat", "mein", "mera", "mere", "meri",
    "mujhe", "nahi", "nahin", "naya", "nayi", "nhi", "pe", "pehla", "pehli", "phir", "pyaar",
    "pyar", "raha", "rahe", "rahi", "rakh", "rakhna", "saas", "sab", "sabse", "sach", "sakta",
    "sakte", "se", "shaadi", "suno", "tera", "tere", "teri", "tha", "thi", "tum", "unka", "uska",
    "uski", "wala", "wale", "wali", "woh", "yaar", "ye", "yeh", "zindagi",
];

/// [`WORDS`] as a set.
fn words() -> &'static FxHashSet<&'static str> {
    static SET: OnceLock<FxHashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| WORDS.iter().copied().collect())
}

/// `hi` (or `ur` where Urdu leads the region's languages) when Latin words read as Hindustani:
/// at least two of its words, or one in a title of at most three words, and at least a fifth
/// of the words. Only where the region expects Hindi or Urdu (`prior`). `lower`: the words in
/// lower case.
pub fn detect(lower: &str, prior: &[&str]) -> Option<&'static str> {
    let code = match prior.iter().find(|l| matches!(**l, "hi" | "ur"))? {
        _ if prior.first() == Some(&"ur") => "ur",
        _ => "hi",
    };
    let mut total = 0;
    let mut hits = 0;
    let words = words();
    for word in lower.split(' ') {
        total += 1;
        hits += usize::from(words.contains(word));
    }
    let enough = hits >= 2 || (hits == 1 && total <= 3);
    (enough && hits * 5 >= total).then_some(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detect_mixed(words: &str, prior: &[&str]) -> Option<&'static str> {
        detect(&words.to_lowercase(), prior)
    }

    #[test]
    fn word_list_is_sorted_and_unique() {
        assert!(WORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn hindustani_in_latin_letters() {
        let india = ["hi", "en", "ta"];
        assert_eq!(
            detect_mixed("Yeh Rishta Kya Kehlata Hai", &india),
            Some("hi")
        );
        assert_eq!(detect_mixed("Nanaji Ki Aatma", &india), Some("hi"));
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
