//! The HTML of the catalog pages (maud escapes every value): the item list with the
//! catalog's versions, and an item's edit form.

use chrono::{DateTime, Utc};
use hall_api::catalog::Catalog;
use maud::{html, Markup};

use super::views::local;
use crate::catalog_file::MAX_ENGLISH;
use crate::store::CatalogVersionRow;

/// The pages' title (and the nav link's words).
pub const TITLE: &str = "事项目录";

/// How an item is offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Availability {
    /// The kiosk takes the whole application.
    Kiosk,
    /// The kiosk informs and books; the window takes it.
    Window,
    /// Not offered for now (withdrawn).
    Suspended,
}

impl Availability {
    const ALL: [Availability; 3] = [
        Availability::Kiosk,
        Availability::Window,
        Availability::Suspended,
    ];

    fn value(self) -> &'static str {
        match self {
            Availability::Kiosk => "kiosk",
            Availability::Window => "window",
            Availability::Suspended => "suspended",
        }
    }

    fn label_zh(self) -> &'static str {
        match self {
            Availability::Kiosk => "自助机全程办理",
            Availability::Window => "自助机告知并预约，窗口办理",
            Availability::Suspended => "暂停受理",
        }
    }
}

/// One material row of the form, as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaterialRow {
    /// Material code.
    pub code: String,
    /// Name.
    pub name: String,
    /// English name (empty: none).
    pub name_en: String,
    /// Originals (as typed).
    pub originals: String,
    /// Copies (as typed).
    pub copies: String,
    /// Required.
    pub required: bool,
    /// Reusable.
    pub reusable: bool,
    /// Note.
    pub note: String,
}

/// The edit form's values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemForm {
    /// Item code.
    pub code: String,
    /// The catalog version the form was made from (a stale form is refused).
    pub base: String,
    /// Name.
    pub name: String,
    /// English name for the kiosk's English mode (empty: none, shown "Chinese only").
    pub name_en: String,
    /// 办理条件.
    pub summary: String,
    /// Availability.
    pub availability: Availability,
    /// 免费邮寄.
    pub mail: bool,
    /// Materials.
    pub materials: Vec<MaterialRow>,
}

/// The item list and the versions.
pub fn list(
    c: &Catalog,
    withdrawn: &[String],
    versions: &[CatalogVersionRow],
    now: DateTime<Utc>,
) -> Markup {
    html! {
        div.card {
            h2 { "当前目录版本 " (c.version) }
            p.sub { (c.items.len()) " 个事项，" (c.bundles.len()) " 个一件事。修改后立即生成新版本，自助机在下次同步时获取。" }
        }
        table {
            thead { tr { th { "事项编码" } th { "事项名称" } th { "部门" } th { "办理方式" } th { "材料" } th {} } }
            tbody {
                @for i in &c.items {
                    @let state = if withdrawn.contains(&i.code) { Availability::Suspended }
                        else if i.kiosk_completable { Availability::Kiosk } else { Availability::Window };
                    tr {
                        td { (i.code) }
                        td { (i.name) }
                        td { (c.department(&i.department).map_or(i.department.as_str(), |d| d.name.as_str())) }
                        td { span class={ "pill " (if state == Availability::Suspended { "bad" } else { "" }) } { (state.label_zh()) } }
                        td { (i.materials.len()) " 项" }
                        td { a href={ "/staff/catalog/items/" (i.code) } aria-label={ "修改" (i.name) } { "修改" } }
                    }
                }
            }
        }
        div.card style="margin-top:16px" {
            h2 { "目录版本" }
            table {
                thead { tr { th { "版本" } th { "生效时间" } th { "来源" } th { "操作人" } th { "状态" } } }
                tbody {
                    @for v in versions {
                        tr {
                            td { (v.version) }
                            td { (local(v.effective_at)) }
                            td { (match v.source.as_str() { "import" => "表格导入", "staff" => "工作台修改", _ => "初始目录" }) }
                            td { (v.author.as_deref().unwrap_or("")) }
                            td {
                                @if v.version == c.version { span.pill.ok { "当前生效" } }
                                @else if v.effective_at > now { span.pill.warn { "待生效" } }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn material_row(i: usize, m: &MaterialRow) -> Markup {
    html! {
        tr {
            td { input type="text" name={ "m" (i) "_code" } value=(m.code) size="12" aria-label={ "第" (i + 1) "项材料代码" }; }
            td { input type="text" name={ "m" (i) "_name" } value=(m.name) size="24" aria-label={ "第" (i + 1) "项材料名称" }; }
            td { input type="text" name={ "m" (i) "_name_en" } value=(m.name_en) size="24" maxlength=(MAX_ENGLISH) lang="en" aria-label={ "第" (i + 1) "项材料英文名称" }; }
            td { input type="number" min="0" max="99" name={ "m" (i) "_originals" } value=(m.originals) style="width:4em" aria-label="原件数"; }
            td { input type="number" min="0" max="99" name={ "m" (i) "_copies" } value=(m.copies) style="width:4em" aria-label="复印件数"; }
            td { input type="checkbox" name={ "m" (i) "_required" } value="1" checked[m.required] aria-label="必须提交"; }
            td { input type="checkbox" name={ "m" (i) "_reusable" } value="1" checked[m.reusable] aria-label="可复用"; }
            td { input type="text" name={ "m" (i) "_note" } value=(m.note) size="20" aria-label="备注"; }
            td { input type="checkbox" name={ "m" (i) "_remove" } value="1" aria-label="删除此材料"; }
        }
    }
}

/// An item's edit form, with the errors of the last attempt or the version just saved.
pub fn item(
    f: &ItemForm,
    department: &str,
    errors: &[String],
    saved: Option<&str>,
    csrf: &str,
) -> Markup {
    let blank = MaterialRow {
        code: String::new(),
        name: String::new(),
        name_en: String::new(),
        originals: "1".into(),
        copies: "0".into(),
        required: true,
        reusable: false,
        note: String::new(),
    };
    html! {
        p { a href="/staff/catalog" { "← 返回事项目录" } }
        @if let Some(v) = saved {
            div.notice.ok role="status" { "已保存，当前目录版本 " (v) "。" }
        }
        @if !errors.is_empty() {
            div.notice.bad role="alert" {
                ul { @for e in errors { li { (e) } } }
            }
        }
        div.card.actions {
            h2 { (f.code) " " (f.name) }
            p.sub { (department) " · 基于目录版本 " (f.base) }
            form method="post" action={ "/staff/catalog/items/" (f.code) } {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="base" value=(f.base);
                input type="hidden" name="materials" value=(f.materials.len());
                label for="name" { "事项名称" }
                input id="name" type="text" name="name" value=(f.name) maxlength="100";
                label for="name_en" { "英文名称（English name，可不填；不填时英文界面显示“Chinese only”）" }
                input id="name_en" type="text" name="name_en" value=(f.name_en) maxlength=(MAX_ENGLISH) lang="en";
                label for="summary" { "办理条件 / 办事指引" }
                textarea id="summary" name="summary" rows="4" maxlength="1000" { (f.summary) }
                fieldset {
                    legend { "办理方式" }
                    @for a in Availability::ALL {
                        div.check {
                            input type="radio" id={ "av-" (a.value()) } name="availability" value=(a.value()) checked[f.availability == a];
                            label for={ "av-" (a.value()) } { (a.label_zh()) }
                        }
                    }
                }
                div.check {
                    input type="checkbox" id="mail" name="mail" value="1" checked[f.mail];
                    label for="mail" { "办理结果可免费邮寄" }
                }
                h3 { "申请材料（一次性告知）" }
                table {
                    thead { tr { th { "材料代码" } th { "名称" } th { "英文名称" } th { "原件" } th { "复印件" } th { "必须" } th { "可复用" } th { "备注" } th { "删除" } } }
                    tbody {
                        @for (i, m) in f.materials.iter().enumerate() { (material_row(i, m)) }
                        (material_row(f.materials.len(), &blank))
                    }
                }
                p.sub { "最后一行用于新增材料；同一材料在各事项中使用同一代码、同一名称。" }
                button type="submit" { "保存为新版本" }
            }
        }
    }
}
