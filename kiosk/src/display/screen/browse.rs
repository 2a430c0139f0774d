//! The 选择办理事项 screen (`browse.slint`): departments, 一件事 bundles, most-used items and search
//! results, one page at a time.

use std::rc::Rc;

use kiosk_ui::generated as ui;
use kiosk_ui::vm;
use slint::{ComponentHandle, SharedString};

use crate::display::frontend::{on0, on1, page_step, Frontend};
use crate::display::map::{content, department_name, limit_text, page_of, tr};
use crate::session::screens::ChooseView;
use crate::session::{listing, Choice, Screen, Session, UiInput};

/// The browsing screen: departments, bundles, and one page of the current list.
pub fn view(s: &Session, page: usize, rows: usize, query: &str, searching: bool) -> vm::BrowseVm {
    let Some(catalog) = s.catalog.as_ref() else {
        return vm::BrowseVm::default();
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
            vm::ItemEntry {
                id: code.clone(),
                name: content(
                    s,
                    name,
                    catalog.item(code).and_then(|i| i.name_en.as_deref()),
                ),
                detail,
            }
        }
        Choice::Bundle { code, name } => vm::ItemEntry {
            id: code.clone(),
            name: content(
                s,
                name,
                catalog.bundle(code).and_then(|b| b.name_en.as_deref()),
            ),
            detail: tr(s, "一件事 · 材料只交一次", "life event · materials once"),
        },
    };
    let all: Vec<vm::ItemEntry> = listing(catalog, &view, &s.most_used)
        .iter()
        .map(entry)
        .collect();
    let (items, page, pages) = page_of(&all, page, rows);
    let (selected, title) = match &view {
        ChooseView::MostUsed | ChooseView::Departments => {
            (String::new(), tr(s, "常用事项", "Most used"))
        }
        ChooseView::Department(d) => (d.clone(), department_name(s, d)),
        ChooseView::Bundles => (String::new(), tr(s, "一件事", "Life events")),
        ChooseView::Search(_) => (String::new(), tr(s, "搜索结果", "Search results")),
    };
    vm::BrowseVm {
        departments: catalog
            .departments
            .iter()
            .map(|d| vm::Department {
                id: d.code.clone(),
                name: content(s, &d.name, d.name_en.as_deref()),
            })
            .collect(),
        selected_department: selected,
        query: query.to_owned(),
        searching,
        bundles: catalog
            .bundles
            .iter()
            .map(|b| vm::ItemEntry {
                id: b.code.clone(),
                name: content(s, &b.name, b.name_en.as_deref()),
                detail: if s.is_chinese() {
                    format!("{} 个事项，材料只交一次", b.items.len())
                } else {
                    format!("{} items, materials once", b.items.len())
                },
            })
            .collect(),
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
    browse.on_select_department(on1(f, |f, id: SharedString| {
        f.local.borrow_mut().browse_page = 0;
        if id.is_empty() {
            f.press(UiInput::ShowMostUsed);
        } else {
            f.press(UiInput::OpenDepartment(id.to_string()));
        }
    }));
    browse.on_open_item(on1(f, |f, id: SharedString| {
        f.press(UiInput::PickItem(id.to_string()))
    }));
    browse.on_open_bundle(on1(f, |f, id: SharedString| {
        f.press(UiInput::PickBundle(id.to_string()))
    }));
    browse.on_open_search(on0(f, |f| {
        {
            let mut local = f.local.borrow_mut();
            local.searching = true;
            local.keyboard = vm::KeyboardVm::default();
        }
        f.typed();
    }));
    browse.on_prev_page(on0(f, |f| page_step(f, |l| &mut l.browse_page, false)));
    browse.on_next_page(on0(f, |f| page_step(f, |l| &mut l.browse_page, true)));
}
