//! The browsing screen (`browse.slint`): search, the tabs (常用, 一件事, 按部门) and one page
//! of the list.

use slint::ComponentHandle;

use super::{model, page_text, s};
use crate::generated as ui;

/// A row in a list of items or bundles.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemEntry {
    /// Catalog id.
    pub id: String,
    /// The item's name.
    pub name: String,
    /// One line under the name: department, time limit.
    pub detail: String,
}

/// What the browsing screen's list shows (most used, bundles, departments, a department, search
/// results): the Slint enum of `browse.slint`, re-exported.
pub use crate::generated::BrowseTab;

/// The browsing screen.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BrowseVm {
    /// What the list shows.
    pub tab: BrowseTab,
    /// Whether the catalog has 一件事 bundles (their tab is shown).
    pub has_bundles: bool,
    /// What the citizen typed in the search box.
    pub query: String,
    /// The keyboard is open for the search box.
    pub searching: bool,
    /// Heading of the list (常用事项, a department's name, 搜索结果).
    pub list_title: String,
    /// One page of the list: items, bundles or departments, as `tab` says.
    pub items: Vec<ItemEntry>,
    /// Zero-based page shown and the number of pages.
    pub page: usize,
    /// How many pages there are (at least 1).
    pub pages: usize,
}

fn item_rows(items: &[ItemEntry]) -> Vec<ui::ItemRow> {
    items
        .iter()
        .map(|i| ui::ItemRow {
            id: s(&i.id),
            name: s(&i.name),
            detail: s(&i.detail),
        })
        .collect()
}

/// The browsing screen.
pub fn apply_browse(app: &ui::AppWindow, vm: &BrowseVm) {
    let g = app.global::<ui::BrowseAdapter<'_>>();
    g.set_tab(vm.tab);
    g.set_has_bundles(vm.has_bundles);
    g.set_query(s(&vm.query));
    g.set_searching(vm.searching);
    g.set_list_title(s(&vm.list_title));
    g.set_items(model(item_rows(&vm.items)));
    g.set_page_text(page_text(vm.page, vm.pages));
    g.set_has_prev(vm.page > 0);
    g.set_has_next(vm.page + 1 < vm.pages);
}
