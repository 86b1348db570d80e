//! Pure: Tamil, Telugu and Malayalam written in Latin letters ("Naa Peru Meenakshi", "Oru
//! Nalla Naal Paathu Solren", "Kadha Ithuvare"), common in Indian titles. whatlang knows these
//! languages only in their own scripts; their grammar words and commonest vocabulary give them
//! away, as [`super::hindustani`] does for Hindi and Punjabi.
//!
//! The lists are general knowledge of the languages (pronouns, case endings written as words,
//! auxiliaries, question words, the commonest verbs, adjectives and nouns of everyday speech),
//! romanized the ways titles spell them. A word two of the languages share ("oru", "illa",
//! "nalla", "veedu", "kalyanam", "padam", "paattu": Tamil and Malayalam; "chinna", "akka",
//! "anna": Tamil and Telugu) is in no list: it cannot tell them apart. Nor is any English word,
//! romanized Hindustani word or common name ("peru", "maa", "yaar", "raja").

use std::sync::OnceLock;

use rustc_hash::FxHashMap;

/// Romanized Tamil.
const TAMIL: &str = "
aachu aagathu aagum anbu appadi avanga azhagi azhagu dhaan eduthu ellaam ellam enakku engal enge
enna ennai ennoda eppadi eppo idhu illai illama inga ippadi ippo irukku irukkum irundhu irunthu
kaadhal kadhal kanavu kathai kelvi konjam kooda koottam mattum mudiyadhu naan naanga namma neenga
nenjam ondru paaru paarunga paathu pannu pannunga pasanga periya pesu ponga ponnu poren pudhu romba
saapadu solla sollu sollunga solren thaan thambi thanni theriyadhu theriyum theriyuma thirudan
thiruttu ulagam unakku unga ungal unnai unnoda vaanga vaazhkai vandhu vanthu varen vazhkai veetla
veettu veettukku veetu veetuku vendaam vendam venum yen
";

/// Romanized Telugu.
const TELUGU: &str = "
aame abbayi akkada ammayi antha anthe athadu avunu cheppandi cheppu chepta chesi chesina chesindi
cheyali cheyandi choodandi choodu choosi chudandi chudu chusi ekkada ela emi endhuku enduku enti
eppudu evaru gurinchi idi ikkada inka ippudu kaadu kavali konchem kosam kotha kottha ledu leru
maaku manchi meeku meeru mogudu naa naaku nanna nenu okka pelli pilla pillalu pora pove poyindi
prema premalo roju tammudu telusa telusu undi unna unnadu unte vaadu vachindi vastha vasthu vellu
";

/// Romanized Malayalam.
const MALAYALAM: &str = "
aanu achan alle ariyam ariyilla avalude avante avide chechi chettan cheyyam ende enikku ente
enthanu enthu eppol evide ille ippol ithuvare ivide kadha kazhinju mazha mone nammal nammude
ninakku ningal ningalude ninte njan njangal onnu paranju parayam pennu pinne poyi randu sneham undu
vannu varum venam vendi
";

/// Words that are also short function words of other languages ("ela" in Spanish, "naa",
/// "idi", "emi", "inka", "undu"...) count only beside another word of the same language.
const SHORT: &[&str] = &["ela", "emi", "idi", "inka", "naa", "undu", "yen"];

/// Every word and its language.
fn words() -> &'static FxHashMap<&'static str, &'static str> {
    static MAP: OnceLock<FxHashMap<&'static str, &'static str>> = OnceLock::new();
    MAP.get_or_init(|| {
        [("ta", TAMIL), ("te", TELUGU), ("ml", MALAYALAM)]
            .iter()
            .flat_map(|(code, list)| list.split_whitespace().map(move |w| (w, *code)))
            .collect()
    })
}

/// The language of a lower-case word, when it is one of the lists'.
pub fn language_of(lower: &str) -> Option<&'static str> {
    words().get(lower).copied()
}

/// `ta`, `te` or `ml` when Latin words read as that language, and the region expects it
/// (`prior`): more of its words than of the other two's, at least two of them (a lone
/// [`SHORT`] word counts for nothing), or one in a title of at most three words, and at least a
/// sixth of the words (names fill these titles: "Oru Nalla Naal Paathu Solren | Vijay
/// Sethupathi, Gautham Karthik"). `lower`: the words in lower case. With the code, how many of
/// the words were that language's.
pub fn detect(lower: &str, prior: &[&str]) -> Option<(&'static str, usize)> {
    if !prior.iter().any(|l| matches!(*l, "ta" | "te" | "ml")) {
        return None;
    }
    let map = words();
    let (mut total, mut counts, mut short) = (0, [0usize; 3], [0usize; 3]);
    for word in lower.split(' ') {
        total += 1;
        if let Some(code) = map.get(word) {
            let i = index(code);
            counts[i] += 1;
            short[i] += usize::from(SHORT.contains(&word));
        }
    }
    for i in 0..3 {
        if short[i] == counts[i] && counts[i] == 1 && total > 1 {
            counts[i] = 0;
        }
    }
    let (best, hits) = (0..3).map(|i| (i, counts[i])).max_by_key(|&(_, n)| n)?;
    let code = ["ta", "te", "ml"][best];
    let alone = (0..3).all(|i| i == best || counts[i] < hits);
    let enough = hits >= 2 || (hits == 1 && total <= 3);
    (alone && enough && hits * 6 >= total && prior.contains(&code)).then_some((code, hits))
}

fn index(code: &str) -> usize {
    match code {
        "ta" => 0,
        "te" => 1,
        _ => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::super::{english, function_words, hindustani};
    use super::*;

    fn detect_mixed(words: &str, prior: &[&str]) -> Option<&'static str> {
        detect(&words.to_lowercase(), prior).map(|(code, _)| code)
    }

    const INDIA: [&str; 5] = ["hi", "en", "ta", "te", "ml"];

    #[test]
    fn lists_are_sorted_disjoint_and_no_other_languages_words() {
        let mut all = 0;
        for list in [TAMIL, TELUGU, MALAYALAM] {
            let list: Vec<&str> = list.split_whitespace().collect();
            assert!(list.windows(2).all(|w| w[0] < w[1]), "{:?}", list.first());
            all += list.len();
            for w in list {
                assert!(
                    !english::is_common(w) && !function_words::is_english(w),
                    "{w} is English"
                );
                assert!(!hindustani::is_word(w), "{w} is Hindustani");
            }
        }
        assert_eq!(words().len(), all, "a word in two lists");
        assert!(SHORT.iter().all(|w| words().contains_key(w)));
    }

    #[test]
    fn each_language_by_its_own_words() {
        assert_eq!(
            detect_mixed("Enakku Romba Pidikkum Unga Padam", &INDIA),
            Some("ta")
        );
        assert_eq!(
            detect_mixed("Nenu Ledu Ani Cheppu Ammayi", &INDIA),
            Some("te")
        );
        assert_eq!(detect_mixed("Ente Kadha Njan Parayam", &INDIA), Some("ml"));
        // One word is enough in a short title.
        assert_eq!(detect_mixed("Kadhal Mannan", &INDIA), Some("ta"));
    }

    #[test]
    fn abstains_without_enough_evidence() {
        // One word among many names.
        assert_eq!(
            detect_mixed("Konjam Vijay Sethupathi Gautham Karthik Justin", &INDIA),
            None
        );
        // Two languages as strong as each other.
        assert_eq!(detect_mixed("Romba Manchi Vijay", &INDIA), None);
        // A short word alone ("ela" is Spanish too).
        assert_eq!(detect_mixed("Ela Vuelve", &INDIA), None);
        // Only where the region expects the language.
        assert_eq!(detect_mixed("Ente Kadha Njan Parayam", &["en", "fr"]), None);
        assert_eq!(
            detect_mixed("Ente Kadha Njan Parayam", &["hi", "en", "ta"]),
            None
        );
    }
}
