//! The touch budget (issue 20): the ten most used items — the kiosk's own 常办事项 list, from
//! the hall's seed catalog — walked from the card to the receipt by touch alone on the real
//! kiosk service drawing offscreen (`kioskctl session touch`: a tap at the centre of the
//! labelled target, hit-tested by Slint), the way a citizen who knows what they want would
//! walk them: only the touches the screens ask for, the fewest that reach the receipt.
//!
//! Touches are counted from the card on the reader to the receipt on screen; typed text is
//! counted apart as key presses (the keyboard's 完成 is a touch). Items with nothing to
//! photograph must take at most [`BUDGET`] touches. The table is printed (`--nocapture`).

use std::time::Duration;

use hall_api::catalog::{Catalog, ServiceItem};
use hall_api::form::{FieldKind, FormField};
use kiosk_e2e::kiosk::{KioskOptions, Rig};

const LONG: Duration = Duration::from_secs(60);

/// Most touches from the card to the receipt (issue 20).
const BUDGET: u32 = 8;

/// What one walk took.
#[derive(Debug, Default)]
struct Walk {
    touches: u32,
    keys: u32,
    /// Every touch, in order (the table's last column).
    path: Vec<String>,
}

struct Walker<'a> {
    rig: &'a Rig,
    walk: Walk,
}

impl Walker<'_> {
    fn screen(&self) -> String {
        self.rig.show()["screen"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// The labels of the enabled targets on screen.
    fn labels(&self) -> Vec<String> {
        let (code, out, err) = self.rig.ctl(&["session", "targets", "--json"]);
        assert_eq!(code, Some(0), "session targets: {out}{err}");
        let targets: serde_json::Value = serde_json::from_str(&out).expect("targets JSON");
        targets
            .as_array()
            .map(|a| {
                a.iter()
                    .filter(|t| t["enabled"] == true)
                    .filter_map(|t| t["label"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn tap(&mut self, label: &str) {
        let (code, out, err) = self.rig.touch(label);
        assert_eq!(
            code,
            Some(0),
            "touch {label:?} on {}: {out}{err}\ntargets: {:?}",
            self.screen(),
            self.labels()
        );
        self.walk.touches += 1;
        self.walk.path.push(label.to_owned());
    }

    /// Touches a field or an option of the form (or an item of a list), turning its pages
    /// (下一页, counted) until it shows.
    fn tap_on_form(&mut self, label: &str) {
        for _ in 0..6 {
            let mut labels = self.labels();
            // The keyboard hides the other fields: 完成 first.
            if labels.iter().any(|l| l == "完成") && !labels.iter().any(|l| l == label) {
                self.tap("完成");
                labels = self.labels();
            }
            if labels.iter().any(|l| l == label) {
                return self.tap(label);
            }
            if !labels.iter().any(|l| l == "下一页") {
                break;
            }
            self.tap("下一页");
        }
        panic!("{label:?} is on no page of the form: {:?}", self.labels());
    }

    fn key(&mut self, label: &str) {
        let (code, out, err) = self.rig.touch(label);
        assert_eq!(code, Some(0), "key {label:?}: {out}{err}");
        self.walk.keys += 1;
    }

    fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.key(&c.to_string());
        }
    }

    fn wait_screen(&self, screens: &[&str]) -> String {
        let s = self
            .rig
            .wait_show(LONG, &format!("one of {screens:?}"), |s| {
                screens.iter().any(|w| s["screen"] == *w)
            });
        s["screen"].as_str().unwrap_or_default().to_owned()
    }

    /// Fills one field the card did not: the fewest touches its kind needs.
    fn fill(&mut self, field: &FormField, known_phone: Option<&str>) {
        match &field.kind {
            // A declaration (承诺) is made by 确认提交 on the review.
            FieldKind::Checkbox if field.rules.must_be_checked => {}
            FieldKind::Checkbox => self.tap_on_form(&field.label),
            FieldKind::Select { options } => {
                let first = options.first().expect("a select has options");
                self.tap_on_form(&first.label);
            }
            FieldKind::Phone => match known_phone {
                Some(masked) => {
                    let label = self
                        .labels()
                        .into_iter()
                        .find(|l| l.contains(masked))
                        .expect("the number given before is offered");
                    self.tap(&label);
                }
                None => self.typed(field, "13812345678"),
            },
            FieldKind::Number => {
                let n = field.rules.min.unwrap_or(1.0).max(1.0) as i64;
                self.typed(field, &n.to_string());
            }
            FieldKind::Date => self.typed(field, "2020-01-02"),
            FieldKind::IdNumber => self.typed(field, "11010519491231002X"),
            FieldKind::Text => self.typed_pinyin(field, &["li", "ming"]),
            FieldKind::Address => {
                self.typed_pinyin(field, &["he", "ping", "lu", "yi", "hao", "lou"]);
            }
        }
    }

    /// Chinese text through the pinyin keyboard: each syllable's letters, then 空格 for the
    /// first candidate.
    fn typed_pinyin(&mut self, field: &FormField, syllables: &[&str]) {
        self.open(field);
        for syllable in syllables {
            self.type_text(syllable);
            self.key("空格");
        }
        self.close(field);
    }

    /// Opens the keyboard on `field` unless it already is (a form opens on its first field
    /// to type, and a number typed in full moves the keyboard on to the next): while the
    /// keyboard is up, the field typed into is the only one shown.
    fn open(&mut self, field: &FormField) {
        let labels = self.labels();
        let open_here = labels.iter().any(|l| l == "完成") && labels.contains(&field.label);
        if !open_here {
            if labels.iter().any(|l| l == "完成") {
                self.tap("完成");
            }
            self.tap_on_form(&field.label);
        }
    }

    /// Closes the keyboard if it is still on `field` (free text: the citizen says when).
    fn close(&mut self, field: &FormField) {
        let labels = self.labels();
        if labels.iter().any(|l| l == "完成") && labels.contains(&field.label) {
            self.tap("完成");
        }
    }

    fn typed(&mut self, field: &FormField, text: &str) {
        self.open(field);
        self.type_text(text);
        self.close(field);
    }
}

/// Walks `item` from the card to the receipt; returns what it took.
fn walk(rig: &Rig, item: &ServiceItem) -> Walk {
    let mut w = Walker {
        rig,
        walk: Walk::default(),
    };
    // Before the card: home and 办事 (not counted: the budget starts at the card).
    w.wait_screen(&["home"]);
    let (code, out, err) = rig.touch("办事");
    assert_eq!(code, Some(0), "办事: {out}{err}");
    w.wait_screen(&["identify"]);
    rig.sim("card place resident-zhang-san");
    w.wait_screen(&["choose", "browse"]);

    // On the 常用 list the screen opens with, turning its pages (counted) where needed.
    w.tap_on_form(&item.name);
    w.wait_screen(&["guide"]);
    w.tap("开始办理");
    w.wait_screen(&["form"]);
    let known_phone = rig.show()["knownPhone"].as_str().map(str::to_owned);
    for field in item.form.fields.iter().filter(|f| f.required) {
        if field.prefill.is_none() {
            w.fill(field, known_phone.as_deref());
        }
    }
    let labels = w.labels();
    if labels.iter().any(|l| l == "完成") {
        w.tap("完成");
    }
    w.tap("下一步");
    let errors = rig.show()["fieldErrors"].clone();
    loop {
        match w
            .wait_screen(&["form", "materials", "delivery", "review", "receipt"])
            .as_str()
        {
            "form" => panic!("{}: the form refused: {errors}", item.name),
            // Nothing to photograph here: what is owed is handed in at the window.
            "materials" => w.tap("下一步"),
            // Collected at the window, as chosen by default.
            "delivery" => w.tap("下一步：确认"),
            "review" => w.tap("确认提交"),
            _ => break,
        }
        if w.screen() == "receipt" {
            break;
        }
    }
    w.wait_screen(&["receipt"]);
    w.walk
}

/// Back to the home screen for the next item (not counted), as a citizen leaves: 返回首页
/// where the screen offers it, the header's 首页 otherwise.
fn go_home(rig: &Rig) {
    for _ in 0..20 {
        let show = rig.show();
        match show["screen"].as_str() {
            Some("home") => return,
            _ => {
                for label in ["返回首页", "首页"] {
                    if rig.touch(label).0 == Some(0) {
                        break;
                    }
                }
            }
        }
        std::thread::sleep(Duration::from_millis(300));
    }
    panic!("the kiosk did not go home: {:#}", rig.show());
}

fn catalog(rig: &Rig) -> Catalog {
    let url = format!("{}api/v1/catalog", rig.hall_url());
    let text = reqwest::blocking::get(&url)
        .and_then(|r| r.error_for_status())
        .and_then(|r| r.text())
        .unwrap_or_else(|e| panic!("GET {url}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("the catalog: {e}"))
}

#[test]
fn the_ten_most_used_items_take_at_most_eight_touches_from_card_to_receipt() {
    let rig = Rig::start(&KioskOptions {
        screen: true,
        ..KioskOptions::default()
    });
    let catalog = catalog(&rig);
    let most_used = kiosk::citizen::runner::most_used(&catalog);
    let items: Vec<&ServiceItem> = most_used
        .iter()
        .take(10)
        .map(|code| {
            catalog
                .items
                .iter()
                .find(|i| &i.code == code)
                .expect("most used names catalog items")
        })
        .collect();
    assert_eq!(items.len(), 10, "ten most used items");

    let mut table = String::from("touches  keys  item  (path)\n");
    let mut over = Vec::new();
    for item in &items {
        let w = walk(&rig, item);
        table.push_str(&format!(
            "{:>7}  {:>4}  {}  ({})\n",
            w.touches,
            w.keys,
            item.name,
            w.path.join(" → ")
        ));
        let photographable = item.materials.iter().any(|m| m.photographable);
        if w.touches > BUDGET && !photographable {
            over.push(format!("{} ({} touches)", item.name, w.touches));
        }
        go_home(&rig);
    }
    println!("touch budget, card to receipt (budget {BUDGET}):\n{table}");
    assert!(over.is_empty(), "over the budget: {over:?}\n{table}");
}
