//! "Did you mean …?" hints for misspelt keys and mistyped numbers.

/// Levenshtein distance between two strings, in characters.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

/// The candidate closest to `word`, if it is close enough to be what was meant.
pub(crate) fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1) + 1;
    candidates
        .iter()
        .map(|c| (edit_distance(word, c), *c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// The standard rate closest to a mistyped one: fewest digit edits, then nearest in value.
pub(crate) fn closest_rate(value: u32, rates: &[u32]) -> u32 {
    let text = value.to_string();
    rates
        .iter()
        .copied()
        .min_by_key(|r| (edit_distance(&text, &r.to_string()), r.abs_diff(value)))
        .unwrap_or(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_counts_edits() {
        assert_eq!(edit_distance("baud", "baud"), 0);
        assert_eq!(edit_distance("baudd", "baud"), 1);
        assert_eq!(edit_distance("paper_with", "paper_mm"), 4);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    #[test]
    fn suggests_only_close_keys() {
        let keys = ["device", "baud", "paper_mm", "profile"];
        assert_eq!(closest("baudd", &keys), Some("baud"));
        assert_eq!(closest("profil", &keys), Some("profile"));
        assert_eq!(closest("colour", &keys), None);
    }

    #[test]
    fn a_dropped_digit_suggests_the_rate_it_came_from() {
        let rates = [9_600, 19_200, 38_400, 57_600, 115_200];
        assert_eq!(closest_rate(11_520, &rates), 115_200);
        assert_eq!(closest_rate(9_601, &rates), 9_600);
        assert_eq!(closest_rate(5_760, &rates), 57_600);
    }
}
