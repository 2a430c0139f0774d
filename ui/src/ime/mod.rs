//! Pinyin input for the on-screen keyboard: turns typed pinyin into ranked candidates. Plain Rust,
//! no UI: the keyboard shows what this returns.
//!
//! Ranking: common words spelled by the whole composition, then the boost lists of [`boost`]
//! (surnames, address characters), then GB2312 level 1 (the 3,755 common characters, which GB2312
//! orders by pinyin), then level 2 (3,008 rarer ones, ordered by radical). The character readings
//! come from the `pinyin` crate and the GB2312 order from `encoding_rs`'s GBK decoder, computed
//! once at start-up; nothing is downloaded.

mod boost;

use std::collections::HashMap;
use std::sync::OnceLock;

use pinyin::{ToPinyin, ToPinyinMulti};

/// A reading's index: syllable (plain, `ü` written `v`) → characters, best first.
#[derive(Debug, Default)]
struct Index {
    by_syllable: HashMap<String, Vec<char>>,
    /// Words keyed by their syllables joined without separators.
    words: HashMap<String, Vec<&'static str>>,
}

fn normalise(plain: &str) -> String {
    plain.replace('ü', "v")
}

/// GB2312 characters in code order: level 1 rows 16–55 (0xB0–0xD7), then level 2 rows 56–87.
fn gb2312_chars() -> Vec<char> {
    let mut out = Vec::with_capacity(6763);
    for row in 0xB0u8..=0xF7 {
        for cell in 0xA1u8..=0xFE {
            let bytes = [row, cell];
            let (text, had_errors) = encoding_rs::GBK.decode_without_bom_handling(&bytes);
            if had_errors {
                continue;
            }
            let mut chars = text.chars();
            if let (Some(c), None) = (chars.next(), chars.next()) {
                // GBK fills GB2312's gaps (D7FA–D7FE) with private-use code points: skip them.
                if !c.is_ascii() && !('\u{E000}'..='\u{F8FF}').contains(&c) {
                    out.push(c);
                }
            }
        }
    }
    out
}

fn build_index() -> Index {
    let mut order: Vec<char> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for c in boost::SURNAMES
        .chars()
        .chain(boost::ADDRESS_CHARS.chars())
        .chain(gb2312_chars())
    {
        if seen.insert(c) {
            order.push(c);
        }
    }
    let mut index = Index::default();
    for c in order {
        let Some(readings) = c.to_pinyin_multi() else {
            continue;
        };
        for reading in readings {
            let list = index
                .by_syllable
                .entry(normalise(reading.plain()))
                .or_default();
            if !list.contains(&c) {
                list.push(c);
            }
        }
    }
    for word in boost::WORDS {
        let key: String = word
            .to_pinyin()
            .map(|p| p.map(|p| normalise(p.plain())).unwrap_or_default())
            .collect();
        index.words.entry(key).or_default().push(word);
    }
    index
}

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(build_index)
}

/// Splits `input` into the longest known syllables from the left; the tail that is not a
/// syllable yet (being typed) is returned as the last element.
pub fn segment(input: &str) -> Vec<String> {
    let idx = index();
    let mut out = Vec::new();
    let mut rest = input;
    while !rest.is_empty() {
        let longest = (1..=rest.len().min(6))
            .rev()
            .filter(|n| rest.is_char_boundary(*n))
            .find(|n| idx.by_syllable.contains_key(&rest[..*n]));
        match longest {
            Some(n) => {
                out.push(rest[..n].to_owned());
                rest = &rest[n..];
            }
            None => {
                out.push(rest.to_owned());
                break;
            }
        }
    }
    out
}

/// The pinyin engine. Cheap to create: the index is shared and built on first use.
#[derive(Debug, Default, Clone, Copy)]
pub struct PinyinIme;

impl PinyinIme {
    /// Candidates for `composition` (lowercase pinyin, no tones, `v` for `ü`), best first:
    /// whole words, then characters of the first syllable, then characters of syllables that
    /// start with an incomplete first syllable.
    pub fn candidates_for(&self, composition: &str) -> Vec<String> {
        let composition = composition.trim().to_ascii_lowercase();
        if composition.is_empty() || !composition.bytes().all(|b| b.is_ascii_lowercase()) {
            return Vec::new();
        }
        let idx = index();
        let mut out: Vec<String> = Vec::new();
        if let Some(words) = idx.words.get(&composition) {
            out.extend(words.iter().map(|w| (*w).to_owned()));
        }
        let first = segment(&composition).into_iter().next().unwrap_or_default();
        if let Some(chars) = idx.by_syllable.get(&first) {
            out.extend(chars.iter().map(char::to_string));
        } else {
            // An incomplete syllable ("zh"): characters of every syllable it starts, each list
            // in rank order, interleaved so the best of each come first.
            let mut lists: Vec<(&String, &Vec<char>)> = idx
                .by_syllable
                .iter()
                .filter(|(k, _)| k.starts_with(&first))
                .collect();
            lists.sort_by(|a, b| a.0.cmp(b.0));
            let longest = lists.iter().map(|(_, v)| v.len()).max().unwrap_or(0);
            for i in 0..longest {
                for (_, v) in &lists {
                    if let Some(c) = v.get(i) {
                        out.push(c.to_string());
                    }
                }
            }
        }
        let mut seen = std::collections::HashSet::new();
        out.retain(|c| seen.insert(c.clone()));
        out
    }

    /// What remains of `composition` after choosing `candidate`: the syllables it spelled are
    /// consumed from the left.
    pub fn remainder_after(&self, composition: &str, candidate: &str) -> String {
        let syllables = segment(composition);
        let used = candidate.chars().count().min(syllables.len());
        syllables[used..].concat()
    }
}

#[cfg(test)]
mod tests;

/// The pinyin initials of `text` (`居民身份证` → `jmsfz`); characters without a reading are kept
/// as they are, lowercased. Lets citizens search items by initials.
pub fn initials(text: &str) -> String {
    text.chars()
        .map(|c| match c.to_pinyin() {
            Some(p) => p.plain().chars().next().unwrap_or(c),
            None => c.to_ascii_lowercase(),
        })
        .collect()
}
