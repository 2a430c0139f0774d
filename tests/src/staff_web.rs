//! The staff workbench over HTTP, used as a browser would use it: an account made with
//! `hall staff add --role`, signed in through the login form (its nonce cookie and CSRF
//! field), the first password replaced as the workbench demands, then forms posted with the
//! session's CSRF token. Redirects are not followed, so each answer is seen as sent.

use std::path::Path;
use std::process::Command;

use reqwest::blocking::{Client, Response};
use reqwest::StatusCode;

use crate::workspace_bin;

/// A signed-in workbench session.
#[derive(Debug)]
pub struct StaffWeb {
    base: String,
    client: Client,
    /// `hall_staff=…`, the session cookie.
    session: String,
    /// The session's CSRF token, as the pages' forms carry it.
    csrf: String,
}

/// The value of the `csrf` hidden field on a page.
fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let at = html
        .find(marker)
        .unwrap_or_else(|| panic!("no csrf field on the page: {html}"))
        + marker.len();
    let end = html[at..].find('"').expect("the csrf value ends");
    html[at..at + end].to_owned()
}

/// `name=value` of a `Set-Cookie` the answer carries.
fn cookie(r: &Response, name: &str) -> String {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .find(|kv| {
            kv.split_once('=')
                .is_some_and(|(k, v)| k == name && !v.is_empty())
        })
        .unwrap_or_else(|| panic!("no {name} cookie in {:?}", r.headers()))
        .to_owned()
}

impl StaffWeb {
    /// Makes a workbench account (`role`, reviewer `departments`) in the hall's database,
    /// signs in with its first password and replaces it.
    pub fn sign_in_new(
        base: &str,
        db: &Path,
        name: &str,
        role: &str,
        departments: &[&str],
    ) -> StaffWeb {
        let mut hall = Command::new(workspace_bin("hall"));
        hall.args(["staff", "add", name, "--role", role]);
        for d in departments {
            hall.args(["--department", d]);
        }
        let out = hall
            .arg("--db")
            .arg(db)
            .output()
            .expect("run hall staff add");
        assert!(out.status.success(), "hall staff add: {out:?}");
        let first = String::from_utf8_lossy(&out.stdout).trim().to_owned();

        let base = base.trim_end_matches('/').to_owned();
        let client = Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("an HTTP client");
        let form = client
            .get(format!("{base}/staff/login"))
            .send()
            .expect("the login page");
        let nonce = cookie(&form, "hall_staff_login");
        let nonce_csrf = csrf_of(&form.text().expect("the login page's text"));
        let signed = client
            .post(format!("{base}/staff/login"))
            .header("cookie", &nonce)
            .form(&[
                ("csrf", nonce_csrf.as_str()),
                ("name", name),
                ("password", first.as_str()),
            ])
            .send()
            .expect("sign in");
        assert_eq!(signed.status(), StatusCode::SEE_OTHER, "signed in");
        let session = cookie(&signed, "hall_staff");
        let mut web = StaffWeb {
            base,
            client,
            session,
            csrf: String::new(),
        };
        // The first password must be replaced before any other page opens.
        let page = web.get("/staff/password");
        web.csrf = csrf_of(&page.text().expect("the password page"));
        let new = format!("{first}-renewed-at-first-sign-in");
        let changed = web.post_form(
            "/staff/password",
            &[
                ("current", first.as_str()),
                ("new", new.as_str()),
                ("confirm", new.as_str()),
            ],
        );
        assert!(
            changed.status().is_success() || changed.status().is_redirection(),
            "password replaced: {}",
            changed.status()
        );
        let home = web.get("/staff/inbox/new");
        assert_eq!(home.status(), StatusCode::OK, "the inbox opens");
        web.csrf = csrf_of(&home.text().expect("the inbox"));
        web
    }

    /// `GET` a workbench page with the session.
    pub fn get(&self, path: &str) -> Response {
        self.client
            .get(format!("{}{path}", self.base))
            .header("cookie", &self.session)
            .send()
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    /// Posts a form (the CSRF token added).
    pub fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        let mut all = vec![("csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        self.client
            .post(format!("{}{path}", self.base))
            .header("cookie", &self.session)
            .form(&all)
            .send()
            .unwrap_or_else(|e| panic!("POST {path}: {e}"))
    }

    /// Attaches a result document (PDF) to a concluded application through the page's
    /// upload form: (status, the page's text).
    pub fn attach_result(
        &self,
        application_id: &str,
        title: &str,
        copies: u32,
        pdf: &[u8],
    ) -> (StatusCode, String) {
        let boundary = "----kiosk-e2e-boundary-5c1f0a";
        let mut body = Vec::new();
        let copies = copies.to_string();
        for (k, v) in [
            ("csrf", self.csrf.as_str()),
            ("title", title),
            ("copies", copies.as_str()),
        ] {
            body.extend(
                format!(
                    "--{boundary}\r\ncontent-disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend(
            format!(
                "--{boundary}\r\ncontent-disposition: form-data; name=\"file\"; \
                 filename=\"result.pdf\"\r\ncontent-type: application/pdf\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend(pdf);
        body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
        let r = self
            .client
            .post(format!(
                "{}/staff/applications/{application_id}/result-documents",
                self.base
            ))
            .header("cookie", &self.session)
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
            .send()
            .expect("upload the result document");
        let status = r.status();
        (status, r.text().unwrap_or_default())
    }
}
