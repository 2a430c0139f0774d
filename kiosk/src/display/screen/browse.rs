//! The 选择办理事项 screen (`browse.slint`): tabs for the most used items, the 一件事 bundles and
//! the departments, and one page of the list (or of search results) at a time.

use std::rc::Rc;

use kiosk_ui::generated as ui;
use kiosk_ui::screen::browse::{BrowseTab, BrowseVm, ItemEntry};
use kiosk_ui::screen::keyboard::KeyboardVm;
use slint::{ComponentHandle, SharedString};

use crate::display::frontend::{on0, on1, page_step, Frontend};
use crate::display::map::{content, department_name, limit_text, page_of, tr};
use crate::session::screens::ChooseView;
use crate::session::{listing, Choice, Screen, Session, UiInput};

/// The browsing screen: the tab, and one page of its list.
pub fn view(s: &Session, page: usize, rows: usize, query: &str, searching: bool) -> BrowseVm {
    let Some(catalog) = s.catalog.as_ref() else {
        return BrowseVm::default();
    };
    let view = match &s.screen {
        Screen::Choose(view) => view.clone(),
        _ => ChooseView::MostUsed,
    };
    let entry = |choice: &Choice| match choice {
        Choice::Item { code, name } => {
            let detail = catalog.item(code).map_or_else(String::new, |i| {
                format!(
                    "{} · {}",
                    department_name(s, &i.department),
                    limit_text(s, i.promised_limit_days)
                )
            });
            ItemEntry {
                id: code.clone(),
                name: content(
                    s,
                    name,
                    catalog.item(code).and_then(|i| i.name_en.as_deref()),
                ),
                detail,
            }
        }
        Choice::Bundle { code, name } => {
            let bundle = catalog.bundle(code);
            let n = bundle.map_or(0, |b| b.items.len());
            ItemEntry {
                id: code.clone(),
                name: content(s, name, bundle.and_then(|b| b.name_en.as_deref())),
                detail: if s.is_chinese() {
                    format!("一件事 · {n} 个事项，材料只交一次")
                } else {
                    format!("life event · {n} items, materials once")
                },
            }
        }
    };
    let all: Vec<ItemEntry> = match &view {
        // The departments tab lists the departments themselves, each with how many items.
        ChooseView::Departments => catalog
            .departments
            .iter()
            .map(|d| {
                let n = catalog
                    .items
                    .iter()
                    .filter(|i| i.department == d.code)
                    .count();
                ItemEntry {
                    id: d.code.clone(),
                    name: content(s, &d.name, d.name_en.as_deref()),
                    detail: if s.is_chinese() {
                        format!("{n} 个事项")
                    } else if n == 1 {
                        "1 item".to_owned()
                    } else {
                        format!("{n} items")
                    },
                }
            })
            .collect(),
        _ => listing(catalog, &view, &s.most_used)
            .iter()
            .map(entry)
            .collect(),
    };
    let (items, page, pages) = page_of(&all, page, rows);
    let (tab, title) = match &view {
        ChooseView::MostUsed => (BrowseTab::MostUsed, tr(s, "常用事项", "Most used")),
        ChooseView::Departments => (BrowseTab::Departments, tr(s, "按部门查找", "By department")),
        ChooseView::Department(d) => (BrowseTab::Department, department_name(s, d)),
        ChooseView::Bundles => (
            BrowseTab::Bundles,
            tr(s, "一件事：一次办好几件事", "One-stop bundles"),
        ),
        ChooseView::Search(_) => (BrowseTab::Search, tr(s, "搜索结果", "Search results")),
    };
    BrowseVm {
        tab,
        has_bundles: !catalog.bundles.is_empty(),
        query: query.to_owned(),
        searching,
        list_title: title,
        items,
        page,
        pages,
    }
}

/// Wires the screen's callbacks.
pub(super) fn connect(f: &Rc<Frontend>) {
    let app = &f.app;
    let browse = app.global::<ui::BrowseAdapter<'_>>();
    let show = |input: UiInput| {
        on0(f, move |f| {
            f.local.borrow_mut().browse_page = 0;
            f.press(input.clone());
        })
    };
    browse.on_show_most_used(show(UiInput::ShowMostUsed));
    browse.on_show_bundles(show(UiInput::ShowBundles));
    browse.on_show_departments(show(UiInput::ShowDepartments));
    // What a row is follows from the list on screen: a department opens its items, a bundle
    // or an item its guide (search results hold both: bundle codes are the catalog's own).
    browse.on_open(on1(f, |f, id: SharedString| {
        let id = id.to_string();
        let view = match &f.current.borrow().screen {
            Screen::Choose(view) => Some(view.clone()),
            _ => None,
        };
        let is_bundle = f
            .current
            .borrow()
            .catalog
            .as_ref()
            .is_some_and(|c| c.bundle(&id).is_some());
        let input = match view {
            Some(ChooseView::Departments) => {
                f.local.borrow_mut().browse_page = 0;
                UiInput::OpenDepartment(id)
            }
            _ if is_bundle => UiInput::PickBundle(id),
            _ => UiInput::PickItem(id),
        };
        f.press(input);
    }));
    browse.on_open_search(on0(f, |f| {
        {
            let mut local = f.local.borrow_mut();
            local.searching = true;
            local.keyboard = KeyboardVm::default();
        }
        f.typed();
    }));
    browse.on_prev_page(on0(f, |f| page_step(f, |l| &mut l.browse_page, false)));
    browse.on_next_page(on0(f, |f| page_step(f, |l| &mut l.browse_page, true)));
}
