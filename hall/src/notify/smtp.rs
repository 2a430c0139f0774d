//! Email through an SMTP relay (lettre on tokio with rustls): the Chinese title as the UTF-8
//! subject, the message, the link and the event id in a plain-text UTF-8 body. Staff events
//! only; citizens are reached by SMS through a webhook.

use async_trait::async_trait;
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::config::{EmailTarget, SmtpSecurity};
use super::events::Notice;
use super::{DeliveryError, Notifier};
use crate::error::HallError;

/// Sends notices as mail to the configured recipients.
pub struct SmtpNotifier {
    name: String,
    from: Mailbox,
    to: Vec<Mailbox>,
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl std::fmt::Debug for SmtpNotifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The transport holds the credentials: not printed.
        f.debug_struct("SmtpNotifier")
            .field("name", &self.name)
            .field("to", &self.to.len())
            .finish_non_exhaustive()
    }
}

impl SmtpNotifier {
    /// A notifier for a configured target (no connection is made until the first mail).
    pub fn new(target: &EmailTarget) -> Result<Self, HallError> {
        let c = &target.config;
        let bad = |what: &str, e: &dyn std::fmt::Display| {
            HallError::InvalidArgument(format!("email target {}: {what}: {e}", c.name))
        };
        let host = c.host.trim();
        let tls = |h: &str| TlsParameters::new(h.to_owned()).map_err(|e| bad("TLS", &e));
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(c.port())
            .timeout(Some(target.timeout));
        builder = match c.security {
            SmtpSecurity::Starttls => builder.tls(Tls::Required(tls(host)?)),
            SmtpSecurity::Tls => builder.tls(Tls::Wrapper(tls(host)?)),
            SmtpSecurity::None => builder.tls(Tls::None),
        };
        if let (Some(user), Some(password)) = (&c.username, &target.password) {
            let password = String::from_utf8(password.expose().to_vec())
                .map_err(|_| bad("password_file", &"is not UTF-8"))?;
            builder = builder.credentials(Credentials::new(user.clone(), password));
        }
        let from = c.from.parse().map_err(|e| bad("from", &e))?;
        let to =
            c.to.iter()
                .map(|r| r.parse().map_err(|e| bad("to", &e)))
                .collect::<Result<_, _>>()?;
        Ok(SmtpNotifier {
            name: c.name.clone(),
            from,
            to,
            transport: builder.build(),
        })
    }

    /// The mail for a notice.
    pub fn message(&self, notice: &Notice) -> Result<Message, DeliveryError> {
        let m = notice.message();
        let body = format!(
            "{}\n\n链接：{}\n事件：{}（{}）\n时间：{}\n\n——本邮件由政务服务中心后台自动发送，请勿回复。个人信息请登录工作台查看。\n",
            m.text,
            notice.link(),
            notice.event.kind().as_str(),
            notice.id,
            notice
                .occurred_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        );
        let mut builder = Message::builder()
            .from(self.from.clone())
            .subject(m.title)
            .header(ContentType::TEXT_PLAIN);
        for to in &self.to {
            builder = builder.to(to.clone());
        }
        builder
            .body(body)
            .map_err(|e| DeliveryError::permanent(format!("cannot build the mail: {e}")))
    }
}

#[async_trait]
impl Notifier for SmtpNotifier {
    fn name(&self) -> &str {
        &self.name
    }

    async fn deliver(&self, notice: &Notice) -> Result<(), DeliveryError> {
        let mail = self.message(notice)?;
        match self.transport.send(mail).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(DeliveryError::permanent(format!("SMTP: {e}"))),
            Err(e) => Err(DeliveryError::transient(format!("SMTP: {e}"))),
        }
    }
}
