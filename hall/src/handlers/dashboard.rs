//! The operators' dashboard: one server-rendered HTML page (no scripts) that refreshes itself
//! every 30 seconds and lists every kiosk: online or not, last seen, paper, faults, backlog.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

use axum::extract::State;
use axum::response::Html;
use chrono::{DateTime, Utc};
use hall_api::fleet::{FleetView, KioskHealth, PaperState};
use hall_api::updates::UpdateState;

use super::fleet::fleet_view;
use crate::auth::Operator;
use crate::error::ApiError;
use crate::state::local_now;

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn ago(now: DateTime<Utc>, t: Option<DateTime<Utc>>) -> String {
    let Some(t) = t else {
        return "从未连接".into();
    };
    let secs = (now - t).num_seconds().max(0);
    match secs {
        0..=59 => format!("{secs} 秒前"),
        60..=3599 => format!("{} 分钟前", secs / 60),
        3600..=86_399 => format!("{} 小时前", secs / 3600),
        _ => format!("{} 天前", secs / 86_400),
    }
}

fn paper_cell(p: Option<PaperState>) -> (&'static str, &'static str) {
    match p {
        Some(PaperState::Full) => ("ok", "充足"),
        Some(PaperState::Low) => ("warn", "将尽"),
        Some(PaperState::Out) => ("bad", "缺纸"),
        Some(PaperState::Jammed) => ("bad", "卡纸"),
        Some(PaperState::Unknown) | None => ("muted", "未知"),
    }
}

/// What the fleet operations add to the page: each kiosk's last remote action (`kiosk id →
/// "restart: ok"`), and a line about the rollout under way.
#[derive(Debug, Clone, Default)]
pub struct FleetOps {
    /// Kiosk id → its last action and result.
    pub last_action: BTreeMap<String, String>,
    /// The active or latest rollout, in one line.
    pub rollout: Option<String>,
}

fn update_cell(k: &KioskHealth) -> String {
    let Some(u) = &k.update else {
        return "<span class=\"muted\">—</span>".into();
    };
    let (class, label) = match u.state {
        UpdateState::Idle => ("muted", "空闲"),
        UpdateState::Downloading => ("warn", "下载中"),
        UpdateState::Installing => ("warn", "安装中"),
        UpdateState::Installed => ("warn", "已安装，待重启"),
        UpdateState::Failed => ("bad", "失败"),
        UpdateState::Unknown => ("muted", "未知"),
    };
    let mut cell = format!(
        "<span class=\"pill {class}\" data-update=\"{}\">{label}</span>",
        u.state.as_str()
    );
    if let Some(t) = &u.target {
        let _ = write!(cell, "<div class=\"sub\">目标 {}</div>", escape(t));
    }
    if let Some(f) = &u.failed_version {
        let _ = write!(cell, "<div class=\"sub bad\">失败版本 {}</div>", escape(f));
    }
    cell
}

fn row(out: &mut String, now: DateTime<Utc>, k: &KioskHealth, site: &str, ops: &FleetOps) {
    let (status_class, status) = if k.online {
        ("ok", "在线")
    } else {
        ("bad", "离线")
    };
    let (paper_class, paper) = paper_cell(k.paper);
    let faults = if k.faults.is_empty() {
        "<span class=\"muted\">无</span>".to_owned()
    } else {
        k.faults
            .iter()
            .map(|f| escape(f))
            .collect::<Vec<_>>()
            .join("<br>")
    };
    let backlog = k.outbox.total();
    let backlog_class = if backlog == 0 {
        "muted"
    } else if backlog < 10 {
        "warn"
    } else {
        "bad"
    };
    let mut version = k
        .versions
        .as_ref()
        .map(|v| escape(&v.kiosk))
        .unwrap_or_default();
    if let Some(image) = k.versions.as_ref().and_then(|v| v.image.as_ref()) {
        let _ = write!(version, "<div>镜像 {}</div>", escape(image));
    }
    if let Some(slot) = k.update.as_ref().and_then(|u| u.slot.as_ref()) {
        let _ = write!(version, "<div class=\"slot\">槽 {}</div>", escape(slot));
    }
    let action = ops.last_action.get(&k.kiosk_id).map_or_else(
        || "<span class=\"muted\">—</span>".to_owned(),
        |a| escape(a),
    );
    let _ = write!(
        out,
        "<tr class=\"kiosk\" data-kiosk=\"{id}\"><td><strong>{id}</strong><div class=\"sub\">{loc}</div></td>\
         <td class=\"site\">{site}</td>\
         <td><span class=\"pill {status_class}\">{status}</span></td><td>{seen}</td>\
         <td><span class=\"pill {paper_class}\">{paper}</span></td><td class=\"faults\">{faults}</td>\
         <td><span class=\"{backlog_class}\">{backlog}</span></td><td class=\"sub\">{version}</td>\
         <td class=\"update\">{update}</td><td class=\"action sub\">{action}</td></tr>",
        id = escape(&k.kiosk_id),
        loc = escape(&k.location),
        site = escape(site),
        seen = ago(now, k.last_seen),
        update = update_cell(k),
    );
}

/// Renders the page for a fleet view (every kiosk at the county level).
pub fn render(view: &FleetView) -> String {
    render_with_sites(view, &BTreeMap::new())
}

/// The per-site summary: kiosks, online, needing someone, one row per site in name order.
fn site_summary(view: &FleetView, sites: &BTreeMap<String, String>) -> String {
    let mut per: BTreeMap<&str, (usize, usize, usize)> = BTreeMap::new();
    for k in &view.kiosks {
        let site = sites.get(&k.kiosk_id).map_or(COUNTY_LEVEL, String::as_str);
        let e = per.entry(site).or_default();
        e.0 += 1;
        e.1 += usize::from(k.online);
        e.2 += usize::from(!k.online || !k.faults.is_empty());
    }
    let mut out = String::new();
    for (site, (total, online, attention)) in per {
        let class = if attention > 0 { "bad" } else { "muted" };
        let _ = write!(
            out,
            "<tr class=\"site-row\"><td>{}</td><td>{total}</td><td>{online}</td><td><span class=\"{class}\">{attention}</span></td></tr>",
            escape(site)
        );
    }
    out
}

/// The site of a kiosk without one.
const COUNTY_LEVEL: &str = "县级（未指定站点）";

/// Renders the page, each kiosk with its site (kiosk id → the site's path of names; kiosks
/// not in the map stand at the county level) and a summary per site.
pub fn render_with_sites(view: &FleetView, sites: &BTreeMap<String, String>) -> String {
    render_with_ops(view, sites, &FleetOps::default())
}

/// [`render_with_sites`] with the update and remote-action columns filled.
pub fn render_with_ops(
    view: &FleetView,
    sites: &BTreeMap<String, String>,
    ops: &FleetOps,
) -> String {
    let online = view.kiosks.iter().filter(|k| k.online).count();
    let faulty = view
        .kiosks
        .iter()
        .filter(|k| !k.faults.is_empty() || !k.online)
        .count();
    // Kiosks that need someone first (offline, then faulty), each group by id.
    let mut ordered: Vec<&KioskHealth> = view.kiosks.iter().collect();
    ordered.sort_by_key(|k| (k.online, k.faults.is_empty(), k.kiosk_id.as_str()));
    let mut rows = String::new();
    for k in ordered {
        let site = sites.get(&k.kiosk_id).map_or(COUNTY_LEVEL, String::as_str);
        row(&mut rows, view.generated_at, k, site, ops);
    }
    if view.kiosks.is_empty() {
        rows.push_str("<tr><td colspan=\"10\" class=\"muted\">尚未登记自助机。用 <code>hall kiosk add ID</code> 登记。</td></tr>");
    }
    format!(
        r#"<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="30">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>自助服务区设备状态 · Kiosk fleet</title>
<style>
body {{ font-family: "Noto Sans CJK SC", "Noto Sans", sans-serif; margin: 0; background: #f5f6f4; color: #1f2a2e; }}
header {{ background: #23454f; color: #fff; padding: 18px 28px; }}
header h1 {{ margin: 0; font-size: 22px; font-weight: 600; }}
header p {{ margin: 4px 0 0; opacity: .8; font-size: 14px; }}
main {{ padding: 20px 28px; }}
.summary {{ display: flex; gap: 16px; margin-bottom: 18px; }}
.card {{ background: #fff; border-radius: 8px; padding: 12px 18px; min-width: 120px; box-shadow: 0 1px 2px rgba(0,0,0,.06); }}
.card b {{ display: block; font-size: 26px; }}
table {{ width: 100%; border-collapse: collapse; background: #fff; border-radius: 8px; overflow: hidden; box-shadow: 0 1px 2px rgba(0,0,0,.06); }}
th, td {{ text-align: left; padding: 11px 14px; border-bottom: 1px solid #e8ebe8; font-size: 15px; vertical-align: top; }}
th {{ background: #eef1ee; font-weight: 600; font-size: 13px; color: #4a5a5e; }}
.sub {{ color: #6b7a7e; font-size: 13px; }}
.pill {{ border-radius: 999px; padding: 2px 10px; font-size: 13px; }}
.ok {{ background: #e3f1e6; color: #1d6b34; }}
.warn {{ background: #fdf1d8; color: #8a5a00; }}
.bad {{ background: #fbe3e1; color: #a3261b; }}
.muted {{ color: #8a979a; }}
span.warn, span.bad {{ padding: 2px 8px; border-radius: 6px; }}
.faults {{ font-size: 14px; }}
table.sites {{ margin-bottom: 18px; }}
h2.sub {{ font-weight: 600; margin: 14px 0 8px; }}
footer {{ padding: 0 28px 24px; font-size: 13px; color: #6b7a7e; }}
</style></head>
<body><header><h1>24小时自助服务区 · 设备状态</h1>
<p>Kiosk fleet · 更新于 {updated}（北京时间），每30秒自动刷新</p></header>
<main>
<div class="summary">
<div class="card"><span class="sub">自助机总数</span><b id="total">{total}</b></div>
<div class="card"><span class="sub">在线</span><b id="online">{online}</b></div>
<div class="card"><span class="sub">需要处理</span><b id="attention">{faulty}</b></div>
</div>
{rollout}
<h2 class="sub">按站点 · By site</h2>
<table class="sites"><thead><tr><th>站点</th><th>自助机</th><th>在线</th><th>需要处理</th></tr></thead>
<tbody>{by_site}</tbody></table>
<h2 class="sub">自助机 · Kiosks</h2>
<table><thead><tr><th>自助机 / 位置</th><th>站点</th><th>连接</th><th>最后心跳</th><th>凭条纸</th><th>故障</th><th>待发送</th><th>版本 / 槽</th><th>更新</th><th>最近远程操作</th></tr></thead>
<tbody>{rows}</tbody></table>
</main>
<footer>超过 {window} 秒未收到心跳即视为离线。Offline after {window} s without a heartbeat.</footer>
</body></html>"#,
        updated = local_now().format("%Y-%m-%d %H:%M:%S"),
        total = view.kiosks.len(),
        by_site = site_summary(view, sites),
        window = view.online_window_seconds,
        rollout = ops.rollout.as_ref().map_or_else(String::new, |r| format!(
            "<p class=\"rollout\">升级 · Rollout: {}</p>",
            escape(r)
        )),
    )
}

/// The dashboard page.
#[utoipa::path(get, path = "/dashboard", tag = "fleet",
    responses((status = 200, description = "HTML page", content_type = "text/html"), (status = 401, description = "Asks for Basic credentials")),
    security(("operator" = [])))]
pub async fn page(
    State(state): State<Arc<crate::state::AppState>>,
    Operator(_): Operator,
) -> Result<Html<String>, ApiError> {
    let view = fleet_view(&state).await?;
    let all = state.store.sites().await?;
    let placed: BTreeMap<String, String> = state
        .store
        .kiosk_sites()
        .await?
        .into_iter()
        .map(|(kiosk, site)| (kiosk, crate::sites::display_path(&all, Some(&site))))
        .collect();
    let mut ops = FleetOps::default();
    for a in state.store.actions(None, 500).await? {
        ops.last_action
            .entry(a.kiosk_id.clone())
            .or_insert_with(|| {
                format!(
                    "{} · {} · {}",
                    a.request.name(),
                    crate::updates::handlers::describe(a.ok),
                    a.requested_at.format("%m-%d %H:%M")
                )
            });
    }
    ops.rollout = state.store.rollouts().await?.into_iter().next().map(|r| {
        format!(
            "{} → {}: {} (wave {}/{}){}",
            r.version,
            r.target,
            r.state.as_str(),
            r.wave + 1,
            r.waves.len(),
            r.reason.map(|x| format!(" — {x}")).unwrap_or_default()
        )
    });
    Ok(Html(render_with_ops(&view, &placed, &ops)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hall_api::fleet::OutboxDepth;

    fn kiosk(id: &str, online: bool, faults: &[&str], location: &str) -> KioskHealth {
        KioskHealth {
            kiosk_id: id.into(),
            location: location.into(),
            online,
            last_seen: online.then(Utc::now),
            versions: None,
            devices: Vec::new(),
            paper: None,
            faults: faults.iter().map(|f| (*f).to_owned()).collect(),
            outbox: OutboxDepth::default(),
            update: None,
        }
    }

    #[test]
    fn kiosks_needing_someone_come_first_and_text_is_escaped() {
        let view = FleetView {
            generated_at: Utc::now(),
            online_window_seconds: 180,
            kiosks: vec![
                kiosk("a-fine", true, &[], "大厅"),
                kiosk("b-faulty", true, &["receiptPrinter: paper out"], "乡镇"),
                kiosk("c-offline", false, &[], "<b>村</b>"),
            ],
        };
        let html = render(&view);
        let at = |id: &str| html.find(&format!("data-kiosk=\"{id}\"")).unwrap();
        assert!(at("c-offline") < at("b-faulty") && at("b-faulty") < at("a-fine"));
        assert!(html.contains("&lt;b&gt;村&lt;/b&gt;") && !html.contains("<b>村"));
        assert!(html.contains("<meta http-equiv=\"refresh\" content=\"30\">"));
    }

    #[test]
    fn kiosks_are_grouped_by_site() {
        let view = FleetView {
            generated_at: Utc::now(),
            online_window_seconds: 180,
            kiosks: vec![
                kiosk("a", true, &[], "大厅"),
                kiosk("b", false, &[], "东村"),
                kiosk("c", true, &[], "东村"),
            ],
        };
        let sites: BTreeMap<String, String> =
            [("b", "某县 / 城关镇 / 东村"), ("c", "某县 / 城关镇 / 东村")]
                .into_iter()
                .map(|(k, s)| (k.to_owned(), s.to_owned()))
                .collect();
        let html = render_with_sites(&view, &sites);
        assert!(html.contains(
            "<tr class=\"site-row\"><td>某县 / 城关镇 / 东村</td><td>2</td><td>1</td><td><span class=\"bad\">1</span></td></tr>"
        ), "{html}");
        assert!(html.contains(
            "<tr class=\"site-row\"><td>县级（未指定站点）</td><td>1</td><td>1</td><td><span class=\"muted\">0</span></td></tr>"
        ));
        let b = html.find("data-kiosk=\"b\"").unwrap();
        assert!(html[b..].starts_with("data-kiosk=\"b\"><td><strong>b</strong><div class=\"sub\">东村</div></td><td class=\"site\">某县 / 城关镇 / 东村</td>"), "{html}");
        let a = html.find("data-kiosk=\"a\"").unwrap();
        assert!(html[a..].contains("<td class=\"site\">县级（未指定站点）</td>"));
    }
}
