//! The HTTP client: reqwest with rustls, the kiosk's credential, timeouts from the
//! configuration, and the hall's error body turned into [`HallError`].

use std::time::Duration;

use hall_api::application::{Progress, ProgressQuery, ReusableMaterials, ReusableMaterialsQuery};
use hall_api::appointment::SlotList;
use hall_api::attachment::{
    AttachmentLimits, AttachmentStatus, CopiesLeft, PrintFailedReport, PrintFailure, PrintRequest,
    PrintableDocuments, PrintableQuery,
};
use hall_api::catalog::Catalog;
use hall_api::error::{ErrorBody, ErrorCode};
use hall_api::fleet::{Heartbeat, HeartbeatAck};
use reqwest::header::{AUTHORIZATION, ETAG, IF_NONE_MATCH};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use zeroize::Zeroizing;

use super::HallError;
use crate::outbox::RecordKind;

/// A client of one hall backend, for one kiosk.
#[derive(Clone)]
pub struct HallClient {
    http: reqwest::Client,
    base: String,
    kiosk_id: String,
    credential: Option<std::sync::Arc<Zeroizing<String>>>,
}

impl std::fmt::Debug for HallClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HallClient")
            .field("base", &self.base)
            .field("kiosk_id", &self.kiosk_id)
            .field(
                "credential",
                &self.credential.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// The result of a catalog fetch.
#[derive(Debug)]
pub enum CatalogFetch {
    /// The hall's catalog is the one we have (HTTP 304).
    NotModified,
    /// A new catalog and its ETag.
    Fresh {
        /// The catalog.
        catalog: Catalog,
        /// Its ETag, for the next conditional fetch.
        etag: Option<String>,
    },
}

impl HallClient {
    /// Builds a client from the configuration's `[hall]` section and the kiosk's id.
    pub fn new(config: &kiosk_config::schema::Hall, kiosk_id: &str) -> Result<Self, HallError> {
        let mut builder = reqwest::Client::builder()
            .connect_timeout(Duration::from_millis(config.connect_timeout_ms))
            .timeout(Duration::from_millis(config.request_timeout_ms))
            .user_agent(concat!("county-kiosk/", env!("CARGO_PKG_VERSION")))
            .https_only(!is_loopback_http(&config.base_url));
        if let Some(ca) = &config.ca_file {
            // The hall's own CA, and it alone: with the public roots too, any public CA could
            // issue a certificate for the hall's name and read citizens' applications.
            let setup = |why: String| HallError::Setup(format!("CA file {}: {why}", ca.display()));
            let pem = std::fs::read(ca).map_err(|e| setup(e.to_string()))?;
            let certs =
                reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| setup(e.to_string()))?;
            if certs.is_empty() {
                return Err(setup("no PEM certificate in it".into()));
            }
            builder = builder.tls_built_in_root_certs(false);
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        let credential = match &config.credential_file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    HallError::Setup(format!("credential file {}: {e}", path.display()))
                })?;
                Some(std::sync::Arc::new(Zeroizing::new(text.trim().to_owned())))
            }
            None => None,
        };
        let http = builder
            .build()
            .map_err(|e| HallError::Setup(e.to_string()))?;
        Ok(HallClient {
            http,
            base: config.base_url.trim_end_matches('/').to_owned(),
            kiosk_id: kiosk_id.to_owned(),
            credential,
        })
    }

    pub(crate) fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(credential) = &self.credential {
            request = request.header(AUTHORIZATION, format!("Bearer {}", credential.as_str()));
        }
        request
    }

    async fn send<T: DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<T, HallError> {
        let response = request.send().await.map_err(network)?;
        decode(response).await
    }

    /// Delivers one outbox record: its JSON payload to the kind's endpoint with its
    /// idempotency key. Returns the hall's answer (the receipt) as JSON bytes.
    pub async fn submit(
        &self,
        kind: RecordKind,
        idempotency_key: &str,
        payload: &[u8],
    ) -> Result<Vec<u8>, HallError> {
        let path = match kind {
            RecordKind::Application => "/api/v1/applications",
            RecordKind::Rating => "/api/v1/ratings",
            RecordKind::Complaint => "/api/v1/complaints",
            RecordKind::HelpRequest => "/api/v1/help-requests",
            RecordKind::Appointment => "/api/v1/appointments",
        };
        let response = self
            .request(Method::POST, path)
            .header(hall_api::IDEMPOTENCY_KEY_HEADER, idempotency_key)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            // The body's copy (personal data) is wiped when reqwest lets go of it.
            .body(bytes::Bytes::from_owner(Zeroizing::new(payload.to_vec())))
            .send()
            .await
            .map_err(network)?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(network)?;
        if status.is_success() {
            Ok(bytes.to_vec())
        } else {
            Err(error_from(status, &bytes))
        }
    }

    /// The upload limits the hall states (`GET /api/v1/attachments/limits`).
    pub async fn attachment_limits(&self) -> Result<AttachmentLimits, HallError> {
        self.send(self.request(Method::GET, "/api/v1/attachments/limits"))
            .await
    }

    /// How much of an attachment the hall holds from this kiosk: where to resume.
    pub async fn attachment_status(&self, sha256: &str) -> Result<AttachmentStatus, HallError> {
        let path = format!("/api/v1/attachments/{}/status", checked_sha(sha256)?);
        self.send(self.request(Method::GET, &path)).await
    }

    /// Sends the bytes `start..start + chunk.len()` of an attachment of `total` bytes.
    /// Returns what the hall holds afterwards.
    pub async fn put_attachment_chunk(
        &self,
        sha256: &str,
        start: u64,
        total: u64,
        chunk: &[u8],
    ) -> Result<AttachmentStatus, HallError> {
        let path = format!("/api/v1/attachments/{}", checked_sha(sha256)?);
        let end = start + chunk.len() as u64 - 1;
        let request = self
            .request(Method::PUT, &path)
            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
            .header(
                reqwest::header::CONTENT_RANGE,
                format!("bytes {start}-{end}/{total}"),
            )
            // A citizen's document: the body's copy is wiped when reqwest lets go of it.
            .body(bytes::Bytes::from_owner(Zeroizing::new(chunk.to_vec())));
        self.send(request).await
    }

    /// Uploads a whole attachment in chunks of at most `chunk_bytes`, resuming from what the
    /// hall already holds (after a cut connection, a restart of the kiosk or of the hall).
    /// Idempotent: an attachment the hall holds complete costs one status request. Returns
    /// the bytes actually sent.
    pub async fn upload_attachment(
        &self,
        sha256: &str,
        bytes: &[u8],
        chunk_bytes: u64,
    ) -> Result<u64, HallError> {
        let total = bytes.len() as u64;
        if total == 0 {
            return Err(HallError::Setup("an attachment cannot be empty".into()));
        }
        let chunk_bytes = chunk_bytes.max(1);
        let mut sent = 0;
        let mut status = self.attachment_status(sha256).await?;
        // Each round either completes, moves forward, or re-reads the status after a 409
        // or a discarded upload; the bound stops a hall that keeps answering oddly.
        let rounds = 3 * (total / chunk_bytes + 2);
        for _ in 0..rounds {
            if status.complete {
                return Ok(sent);
            }
            let start = if status.total.is_some_and(|t| t != total) || status.received > total {
                // Another upload under this hash with another size: only the hall's discard
                // (a 422 after a hash mismatch) clears it; start from 0 and let it answer.
                0
            } else {
                status.received
            };
            let end = total.min(start + chunk_bytes);
            let (from, to) = (
                usize::try_from(start).unwrap_or(usize::MAX),
                usize::try_from(end).unwrap_or(usize::MAX),
            );
            let Some(chunk) = bytes.get(from..to).filter(|c| !c.is_empty()) else {
                return Err(HallError::Unexpected {
                    status: 200,
                    detail: format!("the hall says it holds {start} of {total} bytes"),
                });
            };
            match self.put_attachment_chunk(sha256, start, total, chunk).await {
                Ok(next) => {
                    sent += chunk.len() as u64;
                    status = next;
                }
                Err(HallError::Refused { body, .. })
                    if matches!(
                        body.code,
                        ErrorCode::AttachmentOffset | ErrorCode::AttachmentHashMismatch
                    ) =>
                {
                    status = self.attachment_status(sha256).await?;
                }
                Err(err) => return Err(err),
            }
        }
        Err(HallError::Unexpected {
            status: 200,
            detail: format!("the upload of {total} bytes did not complete in {rounds} requests"),
        })
    }

    /// Fetches the catalog, conditionally on the ETag we hold.
    pub async fn catalog(&self, etag: Option<&str>) -> Result<CatalogFetch, HallError> {
        let mut request = self.request(Method::GET, "/api/v1/catalog");
        if let Some(etag) = etag {
            request = request.header(IF_NONE_MATCH, etag);
        }
        let response = request.send().await.map_err(network)?;
        if response.status() == StatusCode::NOT_MODIFIED {
            return Ok(CatalogFetch::NotModified);
        }
        let etag = response
            .headers()
            .get(ETAG)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let catalog = decode(response).await?;
        Ok(CatalogFetch::Fresh { catalog, etag })
    }

    /// A citizen's progress, by the tracking code and verifier on their receipt.
    pub async fn progress(&self, query: &ProgressQuery) -> Result<Progress, HallError> {
        self.send(self.request(Method::POST, "/api/v1/progress").json(query))
            .await
    }

    /// Every application of the citizen whose card is on the reader, newest first.
    pub async fn progress_by_id_number(
        &self,
        id_number: &str,
    ) -> Result<hall_api::application::ProgressList, HallError> {
        let query = ReusableMaterialsQuery {
            id_number: id_number.to_owned(),
        };
        self.send(
            self.request(Method::POST, "/api/v1/progress/by-id-number")
                .json(&query),
        )
        .await
    }

    /// A booking by the reference on its slip.
    pub async fn appointment(
        &self,
        reference: &str,
    ) -> Result<hall_api::appointment::AppointmentReceipt, HallError> {
        // Scanned text: only code characters may go into the path.
        if reference.is_empty()
            || reference.len() > 64
            || !reference
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(HallError::Setup(
                "an appointment reference has only letters, digits, '-' and '_'".into(),
            ));
        }
        let path = format!("/api/v1/appointments/{reference}");
        self.send(self.request(Method::GET, &path)).await
    }

    /// Materials the citizen handed in before and may reuse.
    pub async fn reusable_materials(
        &self,
        id_number: &str,
    ) -> Result<ReusableMaterials, HallError> {
        let query = ReusableMaterialsQuery {
            id_number: id_number.to_owned(),
        };
        self.send(
            self.request(Method::POST, "/api/v1/materials/reusable")
                .json(&query),
        )
        .await
    }

    /// The phone number the citizen gave the hall before with consent, masked, and a token
    /// for it (`/api/v1/citizen/contact`).
    pub async fn known_contact(
        &self,
        id_number: &str,
    ) -> Result<hall_api::contact::KnownContact, HallError> {
        let query = hall_api::contact::ContactQuery {
            id_number: id_number.to_owned(),
        };
        self.send(
            self.request(Method::POST, "/api/v1/citizen/contact")
                .json(&query),
        )
        .await
    }

    /// Free appointment slots of a department.
    pub async fn slots(&self, department: &str) -> Result<SlotList, HallError> {
        self.send(
            self.request(Method::GET, "/api/v1/appointments/slots")
                .query(&[("department", department)]),
        )
        .await
    }

    /// Sends a heartbeat.
    pub async fn heartbeat(&self, heartbeat: &Heartbeat) -> Result<HeartbeatAck, HallError> {
        let path = format!("/api/v1/kiosks/{}/heartbeat", self.kiosk_id);
        self.send(self.request(Method::POST, &path).json(heartbeat))
            .await
    }

    /// The result documents the proof (the card's number or the receipt) may print now
    /// (自助打印, `/api/v1/result-documents/printable`).
    pub async fn printable(&self, proof: &PrintableQuery) -> Result<PrintableDocuments, HallError> {
        self.send(
            self.request(Method::POST, "/api/v1/result-documents/printable")
                .json(proof),
        )
        .await
    }

    /// One copy of a result document: the hall uses the copy up (under its lock) and answers
    /// the PDF with the copy's number. The bytes are the citizen's document: held in a
    /// buffer wiped on drop, and the network's own buffers wiped where they are ours alone.
    pub async fn print_copy(
        &self,
        document_id: &str,
        proof: &PrintableQuery,
    ) -> Result<(u32, Zeroizing<Vec<u8>>), HallError> {
        let path = format!(
            "/api/v1/result-documents/{}/print",
            checked_id(document_id)?
        );
        let body = PrintRequest {
            proof: proof.clone(),
        };
        let mut response = self
            .request(Method::POST, &path)
            .json(&body)
            .send()
            .await
            .map_err(network)?;
        let status = response.status();
        if !status.is_success() {
            let bytes = response.bytes().await.map_err(network)?;
            return Err(error_from(status, &bytes));
        }
        let copy = response
            .headers()
            .get("print-copy")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u32>().ok())
            .ok_or_else(|| HallError::Unexpected {
                status: status.as_u16(),
                detail: "no Print-Copy header with the PDF".into(),
            })?;
        let expected = response.content_length().unwrap_or(0);
        let mut pdf = Zeroizing::new(Vec::with_capacity(
            usize::try_from(expected).unwrap_or(0).min(MAX_PRINT_BYTES),
        ));
        while let Some(chunk) = response.chunk().await.map_err(network)? {
            if pdf.len() + chunk.len() > MAX_PRINT_BYTES {
                return Err(HallError::Unexpected {
                    status: status.as_u16(),
                    detail: format!("a result document over {MAX_PRINT_BYTES} bytes"),
                });
            }
            pdf.extend_from_slice(&chunk);
            if let Ok(mut mine) = chunk.try_into_mut() {
                zeroize::Zeroize::zeroize(&mut mine[..]);
            }
        }
        Ok((copy, pdf))
    }

    /// Gives a copy back: this kiosk's printer did not print it
    /// (`/api/v1/result-documents/{id}/prints/{copy}/failed`).
    pub async fn print_failed(
        &self,
        document_id: &str,
        copy: u32,
        proof: &PrintableQuery,
        failure: PrintFailure,
    ) -> Result<CopiesLeft, HallError> {
        let path = format!(
            "/api/v1/result-documents/{}/prints/{copy}/failed",
            checked_id(document_id)?
        );
        let body = PrintFailedReport {
            proof: proof.clone(),
            failure,
        };
        self.send(self.request(Method::POST, &path).json(&body))
            .await
    }

    /// Any JSON POST (for endpoints added later).
    pub async fn post_json<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, HallError> {
        self.send(self.request(Method::POST, path).json(body)).await
    }
}

/// The largest result document the kiosk takes (the hall's own limit for one attachment).
const MAX_PRINT_BYTES: usize = hall_api::attachment::MAX_ATTACHMENT_BYTES as usize;

/// A document id as it may go into a path.
fn checked_id(id: &str) -> Result<&str, HallError> {
    if (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        Ok(id)
    } else {
        Err(HallError::Setup(
            "a result document id has only letters, digits, '-' and '_'".into(),
        ))
    }
}

/// The hash as it may go into a path: 64 lower-case hex digits.
fn checked_sha(sha256: &str) -> Result<&str, HallError> {
    if hall_api::attachment::is_sha256_hex(sha256) {
        Ok(sha256)
    } else {
        Err(HallError::Setup(
            "an attachment is named by its SHA-256 in 64 lower-case hex digits".into(),
        ))
    }
}

fn is_loopback_http(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("http://") else {
        return false;
    };
    let host = rest.split(['/', ':']).next().unwrap_or_default();
    host == "localhost" || host.starts_with("127.") || rest.starts_with("[::1]")
}

fn network(err: reqwest::Error) -> HallError {
    // reqwest's error text names the URL, never the body: safe to log.
    HallError::Network(err.without_url().to_string())
}

async fn decode<T: DeserializeOwned>(response: reqwest::Response) -> Result<T, HallError> {
    let status = response.status();
    let bytes = response.bytes().await.map_err(network)?;
    if !status.is_success() {
        return Err(error_from(status, &bytes));
    }
    serde_json::from_slice(&bytes).map_err(|e| HallError::Unexpected {
        status: status.as_u16(),
        detail: format!("not the expected JSON ({})", e.classify_name()),
    })
}

fn error_from(status: StatusCode, bytes: &[u8]) -> HallError {
    match serde_json::from_slice::<ErrorBody>(bytes) {
        Ok(body) => HallError::Refused {
            status: status.as_u16(),
            body,
        },
        Err(_) => HallError::Unexpected {
            status: status.as_u16(),
            detail: format!("{} bytes that are not an error body", bytes.len()),
        },
    }
}

trait ClassifyName {
    fn classify_name(&self) -> &'static str;
}

impl ClassifyName for serde_json::Error {
    fn classify_name(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "I/O",
            serde_json::error::Category::Syntax => "syntax",
            serde_json::error::Category::Data => "wrong shape",
            serde_json::error::Category::Eof => "truncated",
        }
    }
}
