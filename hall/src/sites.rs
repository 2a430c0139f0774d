//! Sites (全域通办 down to the villages): the county → township (乡镇/街道) → village (村/社区)
//! tree, the site each kiosk stands at, and which items each site offers.
//!
//! Rules, both inherited by every site under the one they are set on:
//! - **hide**: the item is not offered there (hidden at a township: in all its villages too);
//! - **only**: the site offers only the listed items (an allow list); with lists at several
//!   levels an item must be on each of them.
//!
//! A kiosk without a site stands at the county level: the rules of the county-level sites
//! apply to it (a hall normally has one county). The kiosk's catalog is the served catalog
//! without the items its site does not offer and without the bundles needing them
//! ([`crate::state::AppState::catalog_for_kiosk`]); intake checks against the same catalog.

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;

use crate::error::HallError;

/// How deep a site stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// 县 (the root; no parent).
    County,
    /// 乡镇/街道 (under a county).
    Township,
    /// 村/社区 (under a township).
    Village,
}

impl Level {
    /// The stored and command-line name.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::County => "county",
            Level::Township => "township",
            Level::Village => "village",
        }
    }

    /// Parses `county`, `township` or `village`.
    pub fn parse(text: &str) -> Option<Level> {
        match text {
            "county" => Some(Level::County),
            "township" => Some(Level::Township),
            "village" => Some(Level::Village),
            _ => None,
        }
    }

    /// The Chinese name shown on pages.
    pub fn label(self) -> &'static str {
        match self {
            Level::County => "县",
            Level::Township => "乡镇/街道",
            Level::Village => "村/社区",
        }
    }

    /// The level a parent of this level must have (`None`: no parent allowed).
    pub fn parent_level(self) -> Option<Level> {
        match self {
            Level::County => None,
            Level::Township => Some(Level::County),
            Level::Village => Some(Level::Township),
        }
    }
}

/// One site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    /// Code: 1-32 characters of [A-Za-z0-9_-] (e.g. the statistical division code).
    pub code: String,
    /// Name, e.g. 城关镇.
    pub name: String,
    /// Level.
    pub level: Level,
    /// The site above (none for a county).
    pub parent: Option<String>,
}

/// What a rule does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Not offered at the site and under it.
    Hide,
    /// Among the only items offered at the site and under it.
    Only,
}

impl Rule {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::Hide => "hide",
            Rule::Only => "only",
        }
    }

    /// Parses the stored name.
    pub fn parse(text: &str) -> Option<Rule> {
        match text {
            "hide" => Some(Rule::Hide),
            "only" => Some(Rule::Only),
            _ => None,
        }
    }
}

/// One item rule of a site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteRule {
    /// Site code.
    pub site: String,
    /// Item code.
    pub item: String,
    /// Hide or only.
    pub rule: Rule,
}

/// Every site and rule, and where one kiosk stands: what its catalog is computed from.
#[derive(Debug, Clone, Default)]
pub struct SiteMap {
    /// All sites.
    pub sites: Vec<Site>,
    /// All rules.
    pub rules: Vec<SiteRule>,
    /// The kiosk's site, if it has one.
    pub kiosk_site: Option<String>,
}

/// Site storage.
#[async_trait]
pub trait SiteStore: Send + Sync {
    /// Every site, by code.
    async fn sites(&self) -> Result<Vec<Site>, HallError>;
    /// Adds a site; `false` (nothing stored) if the code is taken.
    async fn add_site(&self, site: Site) -> Result<bool, HallError>;
    /// Every rule.
    async fn site_rules(&self) -> Result<Vec<SiteRule>, HallError>;
    /// Sets a site's rules of one kind: `replace` drops that kind's earlier items first.
    async fn set_site_rules(
        &self,
        site: &str,
        rule: Rule,
        items: Vec<String>,
        replace: bool,
    ) -> Result<(), HallError>;
    /// Drops all of a site's rules.
    async fn clear_site_rules(&self, site: &str) -> Result<(), HallError>;
    /// (kiosk id, site code) of every kiosk that has a site.
    async fn kiosk_sites(&self) -> Result<Vec<(String, String)>, HallError>;
    /// Puts a kiosk at a site.
    async fn set_kiosk_site(&self, kiosk_id: &str, site: &str) -> Result<(), HallError>;
    /// The sites, rules and the kiosk's site in one read.
    async fn site_map(&self, kiosk_id: &str) -> Result<SiteMap, HallError>;
}

/// Checks a code's form.
pub fn check_code(code: &str) -> Result<(), HallError> {
    let ok = (1..=32).contains(&code.len())
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(HallError::InvalidArgument(format!(
            "site code {code:?} must be 1-32 characters of [A-Za-z0-9_-]"
        )))
    }
}

/// Checks a new site against the existing ones: its code and name, its parent exists and is
/// one level up (a township under a county, a village under a township; a county has none).
/// Levels strictly decrease down the tree, so no cycle can form.
pub fn check_new(site: &Site, existing: &[Site]) -> Result<(), HallError> {
    check_code(&site.code)?;
    let name = site.name.trim();
    if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
        return Err(HallError::InvalidArgument(
            "--name must be 1-64 characters without control characters".into(),
        ));
    }
    if existing.iter().any(|s| s.code == site.code) {
        return Err(HallError::InvalidArgument(format!(
            "site {:?} already exists; `hall site list` shows the tree",
            site.code
        )));
    }
    if site.parent.as_deref() == Some(site.code.as_str()) {
        return Err(HallError::InvalidArgument(format!(
            "site {:?} cannot be its own parent",
            site.code
        )));
    }
    match (site.level.parent_level(), &site.parent) {
        (None, None) => Ok(()),
        (None, Some(_)) => Err(HallError::InvalidArgument(
            "a county is the top of the tree: leave out --parent".into(),
        )),
        (Some(want), None) => Err(HallError::InvalidArgument(format!(
            "a {} needs --parent: the code of its {}",
            site.level.as_str(),
            want.as_str()
        ))),
        (Some(want), Some(parent)) => {
            let Some(p) = existing.iter().find(|s| &s.code == parent) else {
                return Err(HallError::InvalidArgument(format!(
                    "unknown parent site {parent:?}; `hall site list` shows the tree"
                )));
            };
            if p.level != want {
                return Err(HallError::InvalidArgument(format!(
                    "a {} must be under a {}, and {parent:?} is a {}",
                    site.level.as_str(),
                    want.as_str(),
                    p.level.as_str()
                )));
            }
            Ok(())
        }
    }
}

/// The sites from the top of the tree down to `code` (empty if unknown). Stops at a repeated
/// site, so a damaged table cannot loop.
pub fn path<'a>(sites: &'a [Site], code: &str) -> Vec<&'a Site> {
    let by_code: BTreeMap<&str, &Site> = sites.iter().map(|s| (s.code.as_str(), s)).collect();
    let mut out: Vec<&Site> = Vec::new();
    let mut next = Some(code);
    while let Some(c) = next {
        let Some(site) = by_code.get(c) else { break };
        if out.iter().any(|s| s.code == site.code) {
            break;
        }
        out.push(site);
        next = site.parent.as_deref();
    }
    out.reverse();
    out
}

/// The items (of `items`) a kiosk at `site` (none: the county level) does not offer.
pub fn hidden_items<'a>(
    map: &SiteMap,
    site: Option<&str>,
    items: impl Iterator<Item = &'a str>,
) -> BTreeSet<String> {
    let governing: Vec<&str> = match site {
        Some(code) => path(&map.sites, code)
            .into_iter()
            .map(|s| s.code.as_str())
            .collect(),
        None => map
            .sites
            .iter()
            .filter(|s| s.level == Level::County)
            .map(|s| s.code.as_str())
            .collect(),
    };
    let mut hides: BTreeSet<&str> = BTreeSet::new();
    let mut onlies: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for r in map
        .rules
        .iter()
        .filter(|r| governing.contains(&r.site.as_str()))
    {
        match r.rule {
            Rule::Hide => {
                hides.insert(r.item.as_str());
            }
            Rule::Only => {
                onlies
                    .entry(r.site.as_str())
                    .or_default()
                    .insert(r.item.as_str());
            }
        }
    }
    items
        .filter(|i| hides.contains(i) || onlies.values().any(|allowed| !allowed.contains(i)))
        .map(str::to_owned)
        .collect()
}

/// The tree as indented text lines (`CODE  name  level  N kiosk(s)`), children under their
/// parent in code order.
pub fn tree_lines(sites: &[Site], kiosks: &[(String, String)]) -> Vec<String> {
    fn walk(
        sites: &[Site],
        kiosks: &[(String, String)],
        parent: Option<&str>,
        depth: usize,
        out: &mut Vec<String>,
    ) {
        if depth > 3 {
            return;
        }
        for s in sites.iter().filter(|s| s.parent.as_deref() == parent) {
            let here: Vec<&str> = kiosks
                .iter()
                .filter(|(_, site)| site == &s.code)
                .map(|(k, _)| k.as_str())
                .collect();
            let kiosks_text = if here.is_empty() {
                String::new()
            } else {
                format!("  kiosks: {}", here.join(", "))
            };
            out.push(format!(
                "{}{}  {}  ({}){}",
                "  ".repeat(depth),
                s.code,
                s.name,
                s.level.as_str(),
                kiosks_text
            ));
            walk(sites, kiosks, Some(&s.code), depth + 1, out);
        }
    }
    let mut out = Vec::new();
    walk(sites, kiosks, None, 0, &mut out);
    out
}

/// A kiosk's site for pages: the names from the county down (`县 / 城关镇 / 东村`), or the
/// county level for a kiosk without a site.
pub fn display_path(sites: &[Site], site: Option<&str>) -> String {
    match site {
        Some(code) => path(sites, code)
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>()
            .join(" / "),
        None => "县级（未指定站点）".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(code: &str, level: Level, parent: Option<&str>) -> Site {
        Site {
            code: code.into(),
            name: format!("{code}名"),
            level,
            parent: parent.map(Into::into),
        }
    }

    fn tree() -> Vec<Site> {
        vec![
            site("c", Level::County, None),
            site("t1", Level::Township, Some("c")),
            site("t2", Level::Township, Some("c")),
            site("v1", Level::Village, Some("t1")),
        ]
    }

    fn rule(site: &str, item: &str, rule: Rule) -> SiteRule {
        SiteRule {
            site: site.into(),
            item: item.into(),
            rule,
        }
    }

    #[test]
    fn rules_inherit_down_the_tree_only_lists_intersect() {
        let map = SiteMap {
            sites: tree(),
            rules: vec![
                rule("t1", "a", Rule::Hide),
                rule("t1", "b", Rule::Only),
                rule("t1", "c", Rule::Only),
                rule("v1", "c", Rule::Only),
            ],
            kiosk_site: None,
        };
        let items = ["a", "b", "c", "d"];
        let hidden = |s: Option<&str>| -> Vec<String> {
            hidden_items(&map, s, items.iter().copied())
                .into_iter()
                .collect()
        };
        assert!(hidden(Some("c")).is_empty());
        assert!(hidden(None).is_empty());
        assert!(hidden(Some("t2")).is_empty());
        assert_eq!(hidden(Some("t1")), ["a", "d"]);
        assert_eq!(hidden(Some("v1")), ["a", "b", "d"]);
    }

    #[test]
    fn new_sites_need_the_right_parent() {
        let t = tree();
        assert!(check_new(&site("v2", Level::Village, Some("t2")), &t).is_ok());
        let err = |s: Site| check_new(&s, &t).unwrap_err().to_string();
        assert!(err(site("v2", Level::Village, Some("c"))).contains("must be under a township"));
        assert!(err(site("v2", Level::Village, Some("nope"))).contains("unknown parent"));
        assert!(err(site("v2", Level::Village, None)).contains("needs --parent"));
        assert!(err(site("t1", Level::Township, Some("c"))).contains("already exists"));
        assert!(err(site("x", Level::Township, Some("x"))).contains("own parent"));
        assert!(err(site("c2", Level::County, Some("c"))).contains("leave out --parent"));
        assert!(err(site("bad code", Level::County, None)).contains("[A-Za-z0-9_-]"));
    }

    #[test]
    fn a_damaged_table_cannot_loop() {
        let looped = vec![
            site("a", Level::Township, Some("b")),
            site("b", Level::Village, Some("a")),
        ];
        assert_eq!(path(&looped, "a").len(), 2);
        assert!(tree_lines(&looped, &[]).is_empty());
    }
}
