//! `hall partner add|set-token|list|remove`: registering partner halls. Each hall issues the
//! credential the other calls it with; the two county engineers exchange them (by phone or
//! on paper: the token is printed in groups too, and spaces in it are ignored).

use std::path::PathBuf;

use chrono::Utc;
use zeroize::Zeroizing;

use super::Partner;
use crate::crypto::Secrets;
use crate::error::HallError;
use crate::store::PrincipalKind;

/// Where the database and its keys are.
#[derive(Debug, clap::Args)]
pub struct Db {
    /// The SQLite database file, or a PostgreSQL database (`postgres://…`).
    #[arg(long, env = "HALL_DB", default_value = "hall.db")]
    db: PathBuf,
    /// The key file (default: the database path + `.keys`; required with PostgreSQL).
    #[arg(long, env = "HALL_KEY_FILE")]
    key_file: Option<PathBuf>,
}

impl Db {
    fn secrets(&self) -> Result<Secrets, HallError> {
        let path = match &self.key_file {
            Some(k) => k.clone(),
            None if crate::store::backend::is_postgres(&self.db) => {
                return Err(HallError::InvalidArgument(
                    "with a PostgreSQL --db, give --key-file (the one the halls use)".into(),
                ))
            }
            None => {
                let mut p = self.db.clone().into_os_string();
                p.push(".keys");
                PathBuf::from(p)
            }
        };
        Secrets::load_or_create(&path)
    }
}

/// The partner subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum PartnerAction {
    /// Register another hall as a partner place. Prints the credential THAT hall calls us
    /// with (give it to its engineer); `--token` is the one it issued us (or set it later
    /// with `set-token`).
    Add {
        /// The partner's region code (`420600`), the same at both halls.
        code: String,
        /// Its hall's base URL (`https://hall.xiangyang.example`).
        #[arg(long)]
        url: String,
        /// Its Chinese name (`湖北省襄阳市`), shown to citizens.
        #[arg(long)]
        name: String,
        /// Its English name (`Xiangyang, Hubei`).
        #[arg(long, default_value = "")]
        name_en: String,
        /// The credential that hall issued us (`<code>.<secret>`); spaces are ignored.
        #[arg(long)]
        token: Option<String>,
        #[command(flatten)]
        db: Db,
    },
    /// Store the credential a partner hall issued us (`<code>.<secret>`; spaces ignored).
    SetToken {
        /// The partner's code.
        code: String,
        /// The credential.
        token: String,
        #[command(flatten)]
        db: Db,
    },
    /// Every partner: code, names, URL, whether we can call it.
    List {
        #[command(flatten)]
        db: Db,
    },
    /// Remove a partner: its credential is refused within a second and it leaves the
    /// kiosks' catalog. Forwards still queued for it fail.
    Remove {
        /// The partner's code.
        code: String,
        #[command(flatten)]
        db: Db,
    },
}

fn check_code(code: &str) -> Result<(), HallError> {
    if hall_api::is_valid_principal_id(code) && code.len() <= 32 {
        Ok(())
    } else {
        Err(HallError::InvalidArgument(format!(
            "partner code {code:?}: use the region code (digits, e.g. 420600), at most 32 characters of a-z, 0-9, -"
        )))
    }
}

/// A token as typed from paper: whitespace dropped, then `<id>.<64 hex>`.
fn parse_token(text: &str) -> Result<Zeroizing<String>, HallError> {
    let token: Zeroizing<String> =
        Zeroizing::new(text.chars().filter(|c| !c.is_whitespace()).collect());
    let ok = token.split_once('.').is_some_and(|(id, secret)| {
        hall_api::is_valid_principal_id(id)
            && secret.len() == 64
            && secret.bytes().all(|b| b.is_ascii_hexdigit())
    });
    if ok {
        Ok(token)
    } else {
        Err(HallError::InvalidArgument(
            "the token should read <code>.<64 hex digits> (as `hall partner add` printed it at the other hall)".into(),
        ))
    }
}

/// The token in groups of eight, for reading out by phone.
fn grouped(token: &str) -> String {
    let (id, secret) = token.split_once('.').unwrap_or(("", token));
    let groups: Vec<String> = secret
        .as_bytes()
        .chunks(8)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    format!("{id}. {}", groups.join(" "))
}

/// Runs a subcommand; `Some(token)` is printed once on stdout by the caller.
pub async fn run(action: PartnerAction) -> Result<Option<String>, HallError> {
    match action {
        PartnerAction::Add {
            code,
            url,
            name,
            name_en,
            token,
            db,
        } => {
            check_code(&code)?;
            let parsed = reqwest::Url::parse(&url)
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
            if parsed.is_none() {
                return Err(HallError::InvalidArgument(format!(
                    "--url {url:?}: give the partner hall's base URL, e.g. https://hall.example.gov.cn"
                )));
            }
            let name = name.trim().to_owned();
            if name.is_empty() || name.chars().count() > 40 || name_en.chars().count() > 80 {
                return Err(HallError::InvalidArgument(
                    "--name is the place's Chinese name (1-40 characters); --name-en at most 80"
                        .into(),
                ));
            }
            let secrets = db.secrets()?;
            let sealed = token
                .as_deref()
                .map(parse_token)
                .transpose()?
                .map(|t| secrets.seal(&Partner::token_context(&code), t.as_bytes()))
                .transpose()?;
            let store = crate::store::backend::open(&db.db).await?;
            if store.partner(&code).await?.is_some() {
                store.close();
                return Err(HallError::InvalidArgument(format!(
                    "partner {code} exists; `hall partner remove {code}` first to issue a new credential, or `set-token` to store theirs"
                )));
            }
            let issued = crate::auth::issue(PrincipalKind::Partner, &code, &name)?;
            let has_token = sealed.is_some();
            let partner = Partner {
                code: code.clone(),
                name: name.clone(),
                name_en: name_en.trim().to_owned(),
                url: url.trim_end_matches('/').to_owned(),
                token_sealed: sealed,
                created_at: Utc::now(),
            };
            store.put_partner(partner, Some(issued.principal)).await?;
            store.close();
            eprintln!(
                "Partner {code} ({name}) registered. Give the credential below to {name}'s hall engineer: they store it with `hall partner set-token <THIS HALL'S CODE> TOKEN` (or `--token` on their `hall partner add`)."
            );
            eprintln!("Read out in groups: {}", grouped(&issued.token));
            if !has_token {
                eprintln!("Then store the one they issue this hall: `hall partner set-token {code} TOKEN`. Until then applications for {name} wait in the queue.");
            }
            Ok(Some(issued.token.to_string()))
        }
        PartnerAction::SetToken { code, token, db } => {
            check_code(&code)?;
            let token = parse_token(&token)?;
            let secrets = db.secrets()?;
            let sealed = secrets.seal(&Partner::token_context(&code), token.as_bytes())?;
            let store = crate::store::backend::open(&db.db).await?;
            let found = store.set_partner_token(&code, sealed).await?;
            store.close();
            if !found {
                return Err(HallError::InvalidArgument(format!(
                    "no partner {code}; `hall partner add {code} --url … --name …` first"
                )));
            }
            eprintln!("Stored the credential for calling partner {code}; queued forwards go out at the next retry.");
            Ok(None)
        }
        PartnerAction::List { db } => {
            let store = crate::store::backend::open(&db.db).await?;
            let partners = store.partners().await?;
            let stats = store.forward_stats(Utc::now()).await?;
            store.close();
            if partners.is_empty() {
                eprintln!(
                    "No partners; add one with `hall partner add CODE --url URL --name NAME`."
                );
            } else {
                eprintln!("code, name, English name, URL, our credential for it, forwards: waiting (oldest, s) / delivered / refused");
            }
            for p in partners {
                let s = stats
                    .iter()
                    .find(|s| s.target == super::target_of(&p.code))
                    .cloned()
                    .unwrap_or_default();
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{} ({:.0}) / {} / {}",
                    p.code,
                    p.name,
                    p.name_en,
                    p.url,
                    if p.token_sealed.is_some() {
                        "token set"
                    } else {
                        "NO TOKEN: run set-token"
                    },
                    s.pending,
                    s.oldest_pending_age_seconds,
                    s.delivered,
                    s.failed
                );
            }
            Ok(None)
        }
        PartnerAction::Remove { code, db } => {
            let store = crate::store::backend::open(&db.db).await?;
            let found = store.remove_partner(&code).await?;
            store.close();
            if !found {
                return Err(HallError::InvalidArgument(format!("no partner {code:?}")));
            }
            eprintln!("Removed partner {code}; its credential is refused within a second.");
            Ok(None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_read_from_paper_loses_its_spaces_and_must_have_its_shape() {
        let secret = "0123456789abcdef".repeat(4);
        let t = format!("420600.{secret}");
        let spaced = grouped(&t);
        assert!(spaced.starts_with("420600. 01234567 89abcdef"), "{spaced}");
        assert_eq!(parse_token(&spaced).unwrap().as_str(), t);
        assert!(parse_token("420600.abc").is_err());
        assert!(parse_token(&format!("Bad.{secret}")).is_err());
        assert!(parse_token(&secret).is_err());
    }
}
