//! The files of an application on the workbench: the citizen's attachments (opened one by
//! one, each view audit-logged with the material, never the content) and the result
//! documents for 自助打印 (attached by a reviewer of the department at or after 办结, with
//! the copies allowed; every print listed with its kiosk and time).

use std::sync::Arc;

use axum::extract::{Multipart, Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use hall_api::application::Status;
use hall_api::attachment::{DocumentKind, MAX_ATTACHMENT_BYTES};
use maud::{html, Markup};
use sha2::{Digest, Sha256};

use super::auth::{csrf_ok, Signed};
use super::case::load;
use super::pages::{audit, frame, html as page};
use super::views::{self, local};
use crate::crypto::new_id;
use crate::error::ApiError;
use crate::handlers::attachments::{read_all, store_chunk};
use crate::state::AppState;
use crate::store::attachments::{AttachmentRow, NewResultDocument};
use crate::store::staff::Role;

/// The largest upload form: a PDF of the attachment limit plus the form's other fields.
pub const UPLOAD_BODY_LIMIT: usize = MAX_ATTACHMENT_BYTES as usize + 64 * 1024;

/// Whether result documents may be attached now (办结 and after).
fn concluded(status: Status) -> bool {
    matches!(
        status,
        Status::Concluded | Status::Feedback | Status::Revisited
    )
}

/// The two cards on the application page: attachments and result documents.
pub(super) async fn section(
    state: &AppState,
    signed: &Signed,
    application_id: &str,
    status: Status,
    material_name: &(dyn Fn(&str) -> String + Sync),
) -> Result<Markup, ApiError> {
    let files = state.store.application_attachments(application_id).await?;
    let docs = state.store.result_documents(application_id).await?;
    let may_attach = signed.account().role == Role::Reviewer && concluded(status);
    let csrf = &signed.session.csrf;
    Ok(html! {
        div.card #attachments {
            h2 { "材料文件" }
            @if files.is_empty() { p.sub { "没有上传的材料文件。" } } @else {
                table {
                    thead { tr { th { "材料" } th { "文件" } th { "来源" } } }
                    tbody {
                        @for f in &files {
                            tr {
                                td { (material_name(&f.material_code)) }
                                td { a href={ "/staff/applications/" (application_id) "/attachments/" (f.position) } target="_blank" rel="noopener" {
                                    "打开（" (kind_label(&f.attachment)) "，" (size(f.attachment.total)) "）" } }
                                td { @if f.reused { "复用已有材料" } @else { "自助机上传" } }
                            }
                        }
                    }
                }
                p.sub { "每次打开都记入审计记录。" }
            }
        }
        div.card #results {
            h2 { "结果文书（自助打印）" }
            @if docs.is_empty() { p.sub { "尚未上传结果文书。" } } @else {
                table {
                    thead { tr { th { "文书" } th { "份数" } th { "上传" } th { "打印记录" } } }
                    tbody {
                        @for d in &docs {
                            tr {
                                td { a href={ "/staff/applications/" (application_id) "/result-documents/" (d.id) } target="_blank" rel="noopener" { (d.title) } }
                                td { (d.prints.len()) " / " (d.copies_allowed) }
                                td { (d.attached_by) " " (local(d.attached_at)) }
                                td {
                                    @for (kiosk, at) in &d.prints { "自助机 " (kiosk) " " (local(*at)) br; }
                                    @for (kiosk, at, why) in &d.failed_prints {
                                        span.sub { "自助机 " (kiosk) " " (local(*at)) " 未打印出（" (print_failure_label(why)) "），份数已退回" } br;
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if may_attach {
                form #attach-result method="post" enctype="multipart/form-data" action={ "/staff/applications/" (application_id) "/result-documents" } {
                    input type="hidden" name="csrf" value=(csrf);
                    label for="result-title" { "文书名称" }
                    input #result-title type="text" name="title" maxlength="60" required;
                    label for="result-copies" { "允许打印份数" }
                    input #result-copies type="number" name="copies" min="1" max="10" value="1";
                    label for="result-file" { "PDF 文件" }
                    input #result-file type="file" name="file" accept="application/pdf" required;
                    button type="submit" { "上传结果文书" }
                }
            } @else if signed.account().role == Role::Reviewer {
                p.sub { "办结后可上传结果文书。" }
            }
        }
    })
}

fn kind_label(a: &AttachmentRow) -> &'static str {
    match a.kind {
        DocumentKind::Pdf => "PDF",
        DocumentKind::Jpeg => "JPEG",
    }
}

fn size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MiB", bytes as f64 / 1048576.0)
    } else {
        format!("{} KiB", bytes.div_ceil(1024))
    }
}

/// A document served to staff: its type, no caching, shown inline.
fn document(kind: DocumentKind, bytes: Vec<u8>) -> Response {
    let mut r = (StatusCode::OK, bytes).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind.mime()));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("inline"),
    );
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    r
}

fn not_found(state: &AppState, signed: &Signed, back: &str) -> Response {
    let f = frame(state, signed, "未找到", None);
    page(
        StatusCode::NOT_FOUND,
        views::message(Some(&f), "未找到", "没有这个文件。", Some(back)),
    )
}

/// `GET /staff/applications/{id}/attachments/{position}`: one attachment, audited.
pub async fn attachment(
    State(state): State<Arc<AppState>>,
    signed: Signed,
    Path((id, position)): Path<(String, u32)>,
) -> Result<Response, ApiError> {
    let (rec, _) = match load(&state, &signed, &id).await? {
        Ok(found) => found,
        Err(refused) => return Ok(refused),
    };
    let back = format!("/staff/applications/{}", rec.id);
    let files = state.store.application_attachments(&rec.id).await?;
    let Some(file) = files.into_iter().find(|f| f.position == position) else {
        return Ok(not_found(&state, &signed, &back));
    };
    let staff = &signed.account().name;
    audit(
        state.store.as_ref(),
        staff,
        "view-attachment",
        &rec.id,
        Some(format!("{} #{}", file.material_code, file.position + 1)),
    )
    .await?;
    tracing::info!(staff = %staff, application = %rec.id, material = %file.material_code, "staff opened an attachment");
    let bytes = read_all(&state, &file.attachment).await?;
    Ok(document(file.attachment.kind, bytes.to_vec()))
}

/// `GET /staff/applications/{id}/result-documents/{doc}`: a result document, audited.
pub async fn result_document(
    State(state): State<Arc<AppState>>,
    signed: Signed,
    Path((id, doc)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let (rec, _) = match load(&state, &signed, &id).await? {
        Ok(found) => found,
        Err(refused) => return Ok(refused),
    };
    let back = format!("/staff/applications/{}", rec.id);
    let docs = state.store.result_documents(&rec.id).await?;
    let Some(d) = docs.into_iter().find(|d| d.id == doc) else {
        return Ok(not_found(&state, &signed, &back));
    };
    audit(
        state.store.as_ref(),
        &signed.account().name,
        "view-result-document",
        &rec.id,
        Some(d.title.clone()),
    )
    .await?;
    let bytes = read_all(&state, &d.attachment).await?;
    Ok(document(d.attachment.kind, bytes.to_vec()))
}

/// What the upload form sent.
#[derive(Default)]
struct Upload {
    csrf: Option<String>,
    title: Option<String>,
    copies: Option<String>,
    file: Option<Vec<u8>>,
}

async fn read_upload(mut form: Multipart) -> Result<Upload, String> {
    let mut out = Upload::default();
    let limit = usize::try_from(MAX_ATTACHMENT_BYTES).unwrap_or(usize::MAX);
    while let Some(mut part) = form
        .next_field()
        .await
        .map_err(|e| format!("表单无法读取：{}", e.body_text()))?
    {
        let name = part.name().unwrap_or_default().to_owned();
        if name == "file" {
            let mut bytes = Vec::new();
            while let Some(chunk) = part
                .chunk()
                .await
                .map_err(|e| format!("文件无法读取：{}", e.body_text()))?
            {
                if bytes.len() + chunk.len() > limit {
                    return Err(format!("文件超过 {} MiB。", MAX_ATTACHMENT_BYTES >> 20));
                }
                bytes.extend_from_slice(&chunk);
            }
            out.file = Some(bytes);
        } else {
            let text = part
                .text()
                .await
                .map_err(|e| format!("表单无法读取：{}", e.body_text()))?;
            match name.as_str() {
                "csrf" => out.csrf = Some(text),
                "title" => out.title = Some(text),
                "copies" => out.copies = Some(text),
                _ => {}
            }
        }
    }
    Ok(out)
}

/// `POST /staff/applications/{id}/result-documents`: a reviewer of the department attaches a
/// PDF at or after 办结.
pub async fn attach_result(
    State(state): State<Arc<AppState>>,
    signed: Signed,
    Path(id): Path<String>,
    form: Multipart,
) -> Result<Response, ApiError> {
    let (rec, _) = match load(&state, &signed, &id).await? {
        Ok(found) => found,
        Err(refused) => return Ok(refused),
    };
    let back = format!("/staff/applications/{}", rec.id);
    let f = frame(&state, &signed, "上传结果文书", None);
    let say = |status: StatusCode, text: &str| {
        page(
            status,
            views::message(Some(&f), "未能上传", text, Some(&back)),
        )
    };
    let upload = match read_upload(form).await {
        Ok(u) => u,
        Err(why) => return Ok(say(StatusCode::BAD_REQUEST, &why)),
    };
    if !csrf_ok(&signed.session.csrf, upload.csrf.as_deref()) {
        tracing::info!(staff = %signed.account().name, "result upload refused: CSRF token missing or wrong");
        return Ok(say(StatusCode::FORBIDDEN, "页面已过期，请刷新后重试。"));
    }
    if signed.account().role != Role::Reviewer {
        return Ok(say(
            StatusCode::FORBIDDEN,
            "只有本部门的审核人员可以上传结果文书。",
        ));
    }
    if !concluded(rec.status) {
        return Ok(say(StatusCode::CONFLICT, "办结后才能上传结果文书。"));
    }
    let title = upload.title.unwrap_or_default().trim().to_owned();
    let title_len = title.chars().count();
    if !(1..=60).contains(&title_len) || title.chars().any(char::is_control) {
        return Ok(say(
            StatusCode::BAD_REQUEST,
            "请填写文书名称（1至60个字）。",
        ));
    }
    let copies = match upload.copies.as_deref().map(str::trim) {
        None | Some("") => 1,
        Some(n) => match n.parse::<u32>() {
            Ok(n) if (1..=10).contains(&n) => n,
            _ => return Ok(say(StatusCode::BAD_REQUEST, "打印份数应为1至10。")),
        },
    };
    let bytes = zeroize::Zeroizing::new(upload.file.unwrap_or_default());
    if DocumentKind::sniff(&bytes) != Some(DocumentKind::Pdf) {
        return Ok(say(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "结果文书须为PDF文件。",
        ));
    }
    let staff = signed.account().name.clone();
    store_result_document(&state, &rec.id, &staff, &title, copies, &bytes).await?;
    Ok(Redirect::to(&format!("{back}#results")).into_response())
}

/// Stores a result document once the form's checks passed (a reviewer, after 办结, a PDF, a
/// title, 1–10 copies): the PDF sealed like any attachment, the record, and the audit line.
/// Returns the document's id. Public for the tests that play the staff side.
pub async fn store_result_document(
    state: &AppState,
    application_id: &str,
    staff: &str,
    title: &str,
    copies: u32,
    pdf: &[u8],
) -> Result<String, ApiError> {
    let sha = hex::encode(Sha256::digest(pdf));
    let owner = format!("staff:{staff}");
    let total = pdf.len() as u64;
    store_chunk(state, &owner, &sha, 0, total, pdf).await?;
    let key = crate::handlers::attachments::owner_key(state, &owner, &sha);
    let Some(row) = state.store.attachment_by_owner_key(key).await? else {
        return Err(crate::error::HallError::Corrupt("result document vanished".into()).into());
    };
    let id = new_id()?;
    state
        .store
        .add_result_document(NewResultDocument {
            id: id.clone(),
            application_id: application_id.to_owned(),
            attachment_id: row.id,
            title: title.to_owned(),
            copies_allowed: copies,
            attached_by: staff.to_owned(),
            attached_at: Utc::now(),
        })
        .await?;
    audit(
        state.store.as_ref(),
        staff,
        "attach-result",
        application_id,
        Some(format!("{title} ×{copies}")),
    )
    .await?;
    Ok(id)
}

/// A kiosk's reason for giving a copy back, for staff.
fn print_failure_label(why: &str) -> &'static str {
    match why {
        "paperOut" => "打印机缺纸",
        "coverOpen" => "打印机盖门未关",
        "printerOffline" => "打印机离线",
        "jobFailed" => "打印任务中止",
        _ => "打印失败",
    }
}
