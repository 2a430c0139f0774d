//! Errors: [`HallError`] for faults inside the hall (database, keys, crypto), with a `kind()`
//! that says what to do; [`ApiError`], the HTTP answer with the shared JSON [`ErrorBody`].
//! Client errors (4xx) are not logged as failures; faults (5xx) are, without personal data.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use hall_api::error::{ErrorBody, ErrorCode};
use hall_api::form::FieldError;

/// A fault inside the hall.
#[derive(Debug, thiserror::Error)]
pub enum HallError {
    /// SQLite refused or failed.
    #[error("database: {0}")]
    Database(#[from] rusqlite::Error),
    /// PostgreSQL refused or failed. Only the server's message and SQLSTATE are kept: its
    /// DETAIL line can quote row values, which may be personal data.
    #[error("database: {message} (SQLSTATE {sqlstate})")]
    Postgres {
        /// The five-character SQLSTATE, or `-----` when the connection failed.
        sqlstate: String,
        /// The server's message, or the driver's for connection faults.
        message: String,
        /// Whether retrying can help (connection lost, serialization failure, deadlock,
        /// the server shutting down or not accepting connections).
        transient: bool,
    },
    /// The database schema cannot be brought up to date.
    #[error("migration {version} failed: {message}; restore the database from backup or fix the migration")]
    Migration {
        /// Which migration.
        version: u32,
        /// What SQLite said.
        message: String,
    },
    /// The key file is missing, unreadable or malformed.
    #[error("key file {0}")]
    KeyFile(String),
    /// Randomness or sealing failed.
    #[error("crypto: {0}")]
    Crypto(String),
    /// The writer thread is gone (shutting down) or the commit failed.
    #[error("storage unavailable: {0}; retry shortly")]
    Unavailable(String),
    /// Stored data does not decode (a bug or a tampered row).
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// A bug: a handler panicked. The request got a 500 with the error body.
    #[error("internal fault: {0}; report it with the log")]
    Internal(String),
    /// A command-line argument is not acceptable.
    #[error("{0}")]
    InvalidArgument(String),
    /// A file could not be read or written.
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
}

/// What a caller can do about a [`HallError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Transient: retry the request later.
    Retry,
    /// Needs an operator: configuration, keys or data must be fixed.
    Report,
}

impl HallError {
    /// Whether retrying can help.
    pub fn kind(&self) -> ErrorKind {
        match self {
            HallError::Unavailable(_) => ErrorKind::Retry,
            HallError::Postgres {
                transient: true, ..
            } => ErrorKind::Retry,
            HallError::Database(rusqlite::Error::SqliteFailure(e, _))
                if matches!(
                    e.code,
                    rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                ) =>
            {
                ErrorKind::Retry
            }
            _ => ErrorKind::Report,
        }
    }
}

/// An HTTP error answer.
#[derive(Debug)]
pub struct ApiError {
    /// The status code.
    pub status: StatusCode,
    /// The JSON body.
    pub body: ErrorBody,
    /// Seconds for a `Retry-After` header.
    pub retry_after: Option<u64>,
}

impl ApiError {
    /// An error with a code, an English and a Chinese message.
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>, zh: &str) -> Self {
        ApiError {
            status,
            body: ErrorBody {
                code,
                message: message.into(),
                message_zh: zh.to_owned(),
                fields: Vec::new(),
            },
            retry_after: None,
        }
    }

    /// 422 with field errors.
    pub fn validation(fields: Vec<FieldError>) -> Self {
        let mut e = ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::ValidationFailed,
            "some fields are invalid; see `fields`",
            "部分内容填写有误，请按提示修改",
        );
        e.body.fields = fields;
        e
    }

    /// 400 malformed body or parameter.
    pub fn bad_request(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, code, message, "请求格式有误")
    }

    /// 401.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthorized,
            message,
            "身份验证失败",
        )
    }

    /// 403.
    pub fn forbidden(message: impl Into<String>) -> Self {
        ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::Forbidden,
            message,
            "无权进行此操作",
        )
    }

    /// 404.
    pub fn not_found(message: impl Into<String>) -> Self {
        ApiError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            message,
            "未找到相关记录",
        )
    }

    /// 409 with a code.
    pub fn conflict(code: ErrorCode, message: impl Into<String>, zh: &str) -> Self {
        ApiError::new(StatusCode::CONFLICT, code, message, zh)
    }
}

impl From<HallError> for ApiError {
    fn from(e: HallError) -> Self {
        match e.kind() {
            ErrorKind::Retry => {
                tracing::warn!(error = %e, "request failed transiently");
                let mut a = ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    ErrorCode::Unavailable,
                    "the hall is busy or shutting down; retry shortly",
                    "服务暂时繁忙，请稍后再试",
                );
                a.retry_after = Some(2);
                a
            }
            ErrorKind::Report => {
                tracing::error!(error = %e, "request failed");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    ErrorCode::Internal,
                    "internal fault in the hall; retry later and tell the operator if it persists",
                    "系统故障，请稍后再试或联系工作人员",
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.body)).into_response();
        if let Some(secs) = self.retry_after {
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        response
    }
}
