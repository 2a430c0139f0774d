//! The HTML of counter intake: the item picker and the form generated from the catalog's
//! schema (each field by its kind, with its label, hint and error message; what was typed
//! kept). maud escapes every value. The receipt is in [`super::receipt`].

use hall_api::application::Subject;
use hall_api::catalog::{Catalog, Material};
use hall_api::form::{FieldError, FieldKind, FormField, FormSchema};
use maud::{html, Markup, PreEscaped};

use super::access::departments_of;
use super::intake::{channel_for, RELATIONS};
use super::intake_form::{from_applicant, input_name};
use super::pages::{field, Fields};
use super::views::{self, Frame};
use crate::store::reports::Channel;
use crate::store::staff::StaffAccount;

const INTAKE_CSS: &str = r#"
.intake fieldset { margin: 10px 0; }
.intake input[type=tel], .intake input[type=date] { width: 100%; max-width: 520px; padding: 6px 8px; font-size: 15px; border: 1px solid #9fb3b8; border-radius: 6px; box-sizing: border-box; }
.intake .field { margin-bottom: 10px; }
.intake .req { color: #a3261b; font-size: 13px; margin-left: 4px; }
.intake .field-error { color: #a3261b; font-size: 14px; margin: 3px 0 0; font-weight: 600; }
.intake .check label, .intake .radio label { display: inline; margin: 0 14px 0 4px; font-size: 15px; }
.intake input[aria-invalid=true], .intake select[aria-invalid=true] { border: 2px solid #a3261b; }
.picker-list { list-style: none; margin: 0; padding: 0; }
.picker-list li { padding: 7px 0; border-bottom: 1px solid #e8ebe8; }
"#;

/// One item or bundle offered in the picker.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Its code (the form's path).
    pub code: String,
    /// Its name.
    pub name: String,
    /// 承诺时限 as shown.
    pub limit: String,
}

/// What the picker lists.
#[derive(Debug, Clone, Default)]
pub struct PickerView {
    /// The search text.
    pub query: String,
    /// (department name, window, items) in catalog order.
    pub departments: Vec<(String, String, Vec<Entry>)>,
    /// 一件事 bundles.
    pub bundles: Vec<Entry>,
    /// The channel this account takes in at (the page says which window it is).
    pub channel: Option<Channel>,
}

fn limit_text(days: u32) -> String {
    if days == 0 {
        "即办".to_owned()
    } else {
        format!("{days}个工作日")
    }
}

fn matches(query: &str, code: &str, name: &str) -> bool {
    query.is_empty()
        || name.contains(query)
        || code
            .to_ascii_lowercase()
            .contains(&query.to_ascii_lowercase())
}

impl PickerView {
    /// The subjects this account may take in, filtered by the search text.
    pub fn build(catalog: &Catalog, account: &StaffAccount, query: &str) -> PickerView {
        let mut view = PickerView {
            query: query.to_owned(),
            ..PickerView::default()
        };
        for d in &catalog.departments {
            let mine = std::slice::from_ref(&d.code);
            let Some(channel) = channel_for(account, mine) else {
                continue;
            };
            view.channel = Some(channel);
            let items: Vec<Entry> = catalog
                .items
                .iter()
                .filter(|i| i.department == d.code && matches(query, &i.code, &i.name))
                .map(|i| Entry {
                    code: i.code.clone(),
                    name: i.name.clone(),
                    limit: limit_text(i.promised_limit_days),
                })
                .collect();
            if !items.is_empty() {
                view.departments
                    .push((d.name.clone(), d.window.clone(), items));
            }
        }
        for b in &catalog.bundles {
            let depts = departments_of(catalog, "bundle", &b.code);
            if channel_for(account, &depts).is_some() && matches(query, &b.code, &b.name) {
                let days = catalog
                    .bundle_items(b)
                    .map(|items| {
                        items
                            .iter()
                            .map(|i| i.promised_limit_days)
                            .max()
                            .unwrap_or(0)
                    })
                    .unwrap_or(0);
                view.bundles.push(Entry {
                    code: b.code.clone(),
                    name: b.name.clone(),
                    limit: limit_text(days),
                });
            }
        }
        view
    }
}

fn entries(list: &[Entry]) -> Markup {
    html! {
        ul.picker-list {
            @for e in list {
                li {
                    a href={ "/staff/intake/" (e.code) } { (e.name) }
                    " " span.sub { (e.code) " · 承诺时限 " (e.limit) }
                }
            }
        }
    }
}

/// `GET /staff/intake`.
pub fn picker(frame: &Frame<'_>, v: &PickerView) -> Markup {
    let channel = v.channel.map_or("", Channel::label_zh);
    views::page(
        frame,
        html! {
            style { (PreEscaped(INTAKE_CSS)) }
            div.card {
                h2 { "窗口受理 " span.sub { (channel) } }
                p.sub { "选择申请人要办理的事项或“一件事”，按目录生成申请表（与自助终端同一表单、同一校验）。" }
                form.report-form method="get" action="/staff/intake" role="search" {
                    label for="intake-q" { "查找事项" }
                    input id="intake-q" type="text" name="q" value=(v.query) maxlength="40" placeholder="事项名称或编码";
                    button type="submit" { "查找" }
                }
            }
            @if v.departments.is_empty() && v.bundles.is_empty() {
                div.card { p #no-match { "没有符合条件的事项。" } }
            }
            @if !v.bundles.is_empty() {
                div.card id="bundles" {
                    h2 { "一件事一次办" }
                    (entries(&v.bundles))
                }
            }
            @for (name, window, items) in &v.departments {
                div.card {
                    h2 { (name) " " span.sub { (window) } }
                    (entries(items))
                }
            }
        },
    )
}

/// Everything the form page shows.
#[derive(Debug)]
pub struct FormView<'a> {
    /// The item or bundle.
    pub subject: Subject,
    /// Its code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Where it is taken in.
    pub channel: Channel,
    /// 承诺时限 in working days.
    pub promised_days: u32,
    /// Whether the result may be mailed.
    pub mail_allowed: bool,
    /// The form schema.
    pub form: FormSchema,
    /// The materials checklist.
    pub materials: Vec<Material>,
    /// The idempotency key the form carries.
    pub key: String,
    /// Whether this account may 受理 at once.
    pub may_accept: bool,
    /// What was posted (kept on the page when it is shown again).
    pub filled: Option<&'a Fields>,
    /// What is wrong, keyed by field.
    pub errors: Vec<FieldError>,
}

impl FormView<'_> {
    fn typed(&self, name: &str) -> &str {
        self.filled.and_then(|f| field(f, name)).unwrap_or("")
    }

    /// A box: as posted, or its default on a fresh form.
    fn ticked(&self, name: &str, default: bool) -> bool {
        match self.filled {
            Some(f) => field(f, name) == Some("on"),
            None => default,
        }
    }

    /// A radio choice: as posted, or its default on a fresh form.
    fn chosen(&self, name: &str, value: &str, default: bool) -> bool {
        match self.filled {
            Some(f) => field(f, name) == Some(value),
            None => default,
        }
    }

    fn error(&self, key: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == key)
            .map(|e| e.message.as_str())
    }
}

/// An error next to its field, named by `aria-describedby`.
fn error_line(id: &str, message: Option<&str>) -> Markup {
    html! {
        @if let Some(m) = message { p.field-error id={ (id) "-err" } { (m) } }
    }
}

fn described(id: &str, hint: bool, error: bool) -> Option<String> {
    let mut ids = Vec::new();
    if hint {
        ids.push(format!("{id}-hint"));
    }
    if error {
        ids.push(format!("{id}-err"));
    }
    (!ids.is_empty()).then(|| ids.join(" "))
}

/// A text-like input with its label, hint and error.
#[allow(clippy::too_many_arguments)]
fn text_input(
    id: &str,
    name: &str,
    label: &str,
    kind: &str,
    value: &str,
    max: u32,
    required: bool,
    hint: Option<&str>,
    error: Option<&str>,
) -> Markup {
    html! {
        div.field {
            label for=(id) { (label) @if required { span.req { "（必填）" } } }
            input type=(kind) id=(id) name=(name) value=(value) maxlength=(max) autocomplete="off"
                aria-invalid=[error.map(|_| "true")]
                aria-describedby=[described(id, hint.is_some(), error.is_some())];
            @if let Some(h) = hint { div.sub id={ (id) "-hint" } { (h) } }
            (error_line(id, error))
        }
    }
}

fn schema_field(v: &FormView<'_>, f: &FormField) -> Markup {
    let id = format!("f-{}", f.key);
    let name = input_name(f);
    let value = v.typed(&name);
    let error = v.error(&f.key);
    let hint = f.hint.as_deref();
    let max = f.rules.max_len.unwrap_or(200);
    match &f.kind {
        FieldKind::Text => text_input(
            &id, &name, &f.label, "text", value, max, f.required, hint, error,
        ),
        FieldKind::Address => text_input(
            &id, &name, &f.label, "text", value, max, f.required, hint, error,
        ),
        FieldKind::Number => text_input(
            &id, &name, &f.label, "text", value, 32, f.required, hint, error,
        ),
        FieldKind::Date => text_input(
            &id,
            &name,
            &f.label,
            "date",
            value,
            10,
            f.required,
            hint.or(Some("格式：年-月-日，如 2024-05-01")),
            error,
        ),
        FieldKind::Phone => text_input(
            &id, &name, &f.label, "tel", value, 20, f.required, hint, error,
        ),
        FieldKind::IdNumber => text_input(
            &id, &name, &f.label, "text", value, 18, f.required, hint, error,
        ),
        FieldKind::Select { options } => html! {
            div.field {
                label for=(id) { (f.label) @if f.required { span.req { "（必填）" } } }
                select id=(id) name=(name) aria-invalid=[error.map(|_| "true")]
                    aria-describedby=[described(&id, hint.is_some(), error.is_some())] {
                    option value="" { "请选择" }
                    @for o in options {
                        option value=(o.value) selected[value == o.value] { (o.label) }
                    }
                }
                @if let Some(h) = hint { div.sub id={ (id) "-hint" } { (h) } }
                (error_line(&id, error))
            }
        },
        FieldKind::Checkbox => html! {
            div.field.check {
                input type="checkbox" id=(id) name=(name) checked[v.ticked(&name, false)]
                    aria-invalid=[error.map(|_| "true")]
                    aria-describedby=[described(&id, hint.is_some(), error.is_some())];
                label for=(id) { (f.label) @if f.rules.must_be_checked { span.req { "（须勾选）" } } }
                @if let Some(h) = hint { div.sub id={ (id) "-hint" } { (h) } }
                (error_line(&id, error))
            }
        },
    }
}

fn material_choice(v: &FormView<'_>, m: &Material) -> Markup {
    let name = format!("m.{}", m.code);
    let key = format!("materials.{}", m.code);
    let error = v.error(&key);
    let id = format!("m-{}", m.code);
    let mut options = vec![
        ("window", "窗口已收取", m.required),
        ("later", "待补交", false),
    ];
    if !m.required {
        options.push(("na", "不适用", true));
    }
    html! {
        fieldset aria-describedby=[error.map(|_| format!("{id}-err"))] {
            legend {
                (m.name) @if m.required { span.req { "（必须提交）" } }
                " " span.sub { "原件" (m.originals) "份，复印件" (m.copies) "份" @if let Some(n) = &m.note { "；" (n) } }
            }
            div.radio {
                @for (value, label, default) in &options {
                    input type="radio" id={ (id) "-" (value) } name=(name) value=(value)
                        checked[v.chosen(&name, value, *default)];
                    label for={ (id) "-" (value) } { (label) }
                }
            }
            (error_line(&id, error))
        }
    }
}

/// `GET /staff/intake/{code}` and the same page with its errors.
pub fn form(frame: &Frame<'_>, v: &FormView<'_>) -> Markup {
    let mail = v.chosen("delivery", "mail", false);
    let mail_field = |key: &str, label: &str, kind: &str, max: u32| {
        let name = format!("mail.{key}");
        let error = v.error(&format!("delivery.address.{key}"));
        text_input(
            &format!("mail-{key}"),
            &name,
            label,
            kind,
            v.typed(&name),
            max,
            false,
            None,
            error,
        )
    };
    let agent_field = |key: &str, label: &str, max: u32| {
        let name = format!("agent.{key}");
        text_input(
            &format!("agent-{key}"),
            &name,
            label,
            "text",
            v.typed(&name),
            max,
            false,
            None,
            v.error(&name),
        )
    };
    let relation = v.typed("agent.relation");
    let relation_error = v.error("agent.relation");
    views::page(
        frame,
        html! {
            style { (PreEscaped(INTAKE_CSS)) }
            div.card {
                h2 { (v.name) " " span.sub { (v.code) } }
                p.sub {
                    (v.channel.label_zh()) "收件 · 承诺时限 " (limit_text(v.promised_days))
                    " · " a href="/staff/intake" { "重新选择事项" }
                }
            }
            @if !v.errors.is_empty() {
                div.notice.bad role="alert" id="errors" {
                    "有 " (v.errors.len()) " 处需要修改，申请尚未保存："
                    ul { @for e in &v.errors { li { (e.message) } } }
                }
            }
            form.card.actions.intake method="post" action={ "/staff/intake/" (v.code) } novalidate {
                input type="hidden" name="csrf" value=(frame.csrf);
                input type="hidden" name="intake_key" value=(v.key);
                h2 { "申请人" }
                (text_input("applicant-id", "applicant.idNumber", "申请人公民身份号码", "text", v.typed("applicant.idNumber"), 18, true, Some("18位，末位可为X；按 GB 11643 校验"), v.error("applicant.idNumber")))
                (text_input("applicant-name", "applicant.name", "申请人姓名", "text", v.typed("applicant.name"), 30, true, None, v.error("applicant.name")))
                h2 { "申请表" }
                @for f in v.form.fields.iter().filter(|f| !from_applicant(f)) {
                    (schema_field(v, f))
                }
                @for f in v.form.fields.iter().filter(|f| from_applicant(f)) {
                    p.sub { (f.label) "：同申请人" }
                    (error_line(&format!("f-{}", f.key), v.error(&f.key)))
                }
                h2 { "材料清单" }
                @if v.materials.is_empty() { p.sub { "本事项无需提交材料。" } }
                @for m in &v.materials { (material_choice(v, m)) }
                h2 { "送达方式" }
                fieldset aria-describedby=[v.error("delivery").map(|_| "delivery-err")] {
                    legend { "办理结果如何送达" }
                    div.radio {
                        input type="radio" id="delivery-pickup" name="delivery" value="pickup" checked[v.chosen("delivery", "pickup", true)];
                        label for="delivery-pickup" { "窗口领取" }
                        @if v.mail_allowed || mail {
                            input type="radio" id="delivery-mail" name="delivery" value="mail" checked[mail];
                            label for="delivery-mail" { "免费邮寄" }
                        }
                    }
                    (error_line("delivery", v.error("delivery")))
                    @if v.mail_allowed {
                        p.sub { "选择免费邮寄时填写：" }
                        (mail_field("recipient", "收件人", "text", 30))
                        (mail_field("phone", "收件人电话", "tel", 20))
                        (mail_field("region", "省市区县", "text", 40))
                        (mail_field("detail", "详细地址", "text", 100))
                    }
                }
                div.field.check {
                    input type="checkbox" id="notify" name="notify" checked[v.ticked("notify", false)];
                    label for="notify" { "申请人同意以短信接收办理进度（发往表单中的手机号）" }
                }
                h2 { "代办" }
                fieldset {
                    legend { "由他人代为申请时填写（代办人身份证件须当场核验）" }
                    div.field.check {
                        input type="checkbox" id="agent" name="agent" checked[v.ticked("agent", false)];
                        label for="agent" { "代办（代办人代申请人申请）" }
                    }
                    (agent_field("name", "代办人姓名", 30))
                    (agent_field("idNumber", "代办人公民身份号码", 18))
                    div.field {
                        label for="agent-relation" { "与申请人关系" }
                        select id="agent-relation" name="agent.relation" aria-invalid=[relation_error.map(|_| "true")]
                            aria-describedby=[relation_error.map(|_| "agent-relation-err")] {
                            option value="" { "请选择" }
                            @for (code, label) in RELATIONS {
                                option value=(code) selected[relation == *code] { (label) }
                            }
                        }
                        (error_line("agent-relation", relation_error))
                    }
                }
                @if v.may_accept {
                    div.field.check {
                        input type="checkbox" id="accept" name="accept" checked[v.ticked("accept", true)];
                        label for="accept" { "收件后立即受理（否则为“已提交”，待窗口受理）" }
                    }
                }
                p { button type="submit" id="intake-submit" { "提交申请" } }
            }
        },
    )
}
