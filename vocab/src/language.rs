//! The languages of the kiosk's screens: Simplified Chinese first, English for foreigners. The
//! configuration (`ui.language`), the session and the screens all use this one enum.

use serde::{Deserialize, Serialize};

/// A UI language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Language {
    /// Simplified Chinese, the source language of every string.
    #[default]
    #[serde(rename = "zh-CN")]
    ZhCn,
    /// English, from the bundled translation.
    #[serde(rename = "en")]
    En,
}

impl Language {
    /// Both languages.
    pub const ALL: [Language; 2] = [Language::ZhCn, Language::En];

    /// The short tag used in file names and by the header's language switch (`zh`, `en`).
    pub fn tag(self) -> &'static str {
        match self {
            Language::ZhCn => "zh",
            Language::En => "en",
        }
    }

    /// The other language (what the header's switch changes to).
    pub fn other(self) -> Language {
        match self {
            Language::ZhCn => Language::En,
            Language::En => Language::ZhCn,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_configuration_spells_them_zh_cn_and_en() {
        assert_eq!(
            serde_json::to_string(&Language::ZhCn).expect("serialises"),
            "\"zh-CN\""
        );
        let en: Language = serde_json::from_str("\"en\"").expect("parses");
        assert_eq!(en, Language::En);
        assert!(serde_json::from_str::<Language>("\"zh\"").is_err());
        for l in Language::ALL {
            assert_eq!(l.other().other(), l);
            assert_ne!(l.other(), l);
        }
        assert_eq!(Language::default(), Language::ZhCn);
    }
}
