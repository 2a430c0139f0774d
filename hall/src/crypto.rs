//! The hall's secrets and what it does with them: keyed hashes (HMAC-SHA-256) for ID-number
//! lookups, verifiers and idempotency bodies; SHA-256 for high-entropy credentials;
//! ChaCha20-Poly1305 sealing of the personal data an application must carry; random tracking
//! codes, verifiers and tokens; a constant-time comparison.
//!
//! Keys live in a key file beside (ideally: apart from) the database, created on first start
//! with mode 0600. A stolen database alone reveals no ID number, name, address or phone: the
//! lookups are keyed hashes and the payloads are sealed with a key that is not in it.

use std::path::Path;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::error::HallError;

type HmacSha256 = Hmac<Sha256>;

/// Crockford's base32 alphabet (no I, L, O, U): codes people read off paper and type.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The two server keys. Wiped from memory when dropped; `Debug` shows nothing.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Secrets {
    mac_key: [u8; 32],
    data_key: [u8; 32],
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secrets(..)")
    }
}

/// Fills a buffer from the OS random source.
pub fn random_bytes<const N: usize>() -> Result<[u8; N], HallError> {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).map_err(|e| HallError::Crypto(format!("OS random source: {e}")))?;
    Ok(buf)
}

impl Secrets {
    /// Fresh random keys (tests and first start).
    pub fn generate() -> Result<Self, HallError> {
        Ok(Secrets {
            mac_key: random_bytes()?,
            data_key: random_bytes()?,
        })
    }

    /// Loads the key file, or creates it (mode 0600) if it does not exist.
    pub fn load_or_create(path: &Path) -> Result<Self, HallError> {
        let io = |e: std::io::Error| HallError::KeyFile(format!("{}: {e}", path.display()));
        match std::fs::read_to_string(path) {
            Ok(mut text) => {
                let parsed = hex::decode(text.trim());
                text.zeroize();
                let mut bytes = parsed.map_err(|_| {
                    HallError::KeyFile(format!(
                        "{}: not hex; restore it from backup",
                        path.display()
                    ))
                })?;
                if bytes.len() != 64 {
                    bytes.zeroize();
                    return Err(HallError::KeyFile(format!(
                        "{}: expected 64 bytes of key, found {}; restore it from backup",
                        path.display(),
                        bytes.len()
                    )));
                }
                let mut s = Secrets {
                    mac_key: [0; 32],
                    data_key: [0; 32],
                };
                s.mac_key.copy_from_slice(&bytes[..32]);
                s.data_key.copy_from_slice(&bytes[32..]);
                bytes.zeroize();
                Ok(s)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let s = Secrets::generate()?;
                let mut text = hex::encode([s.mac_key, s.data_key].concat());
                write_private(path, text.as_bytes()).map_err(io)?;
                text.zeroize();
                Ok(s)
            }
            Err(e) => Err(io(e)),
        }
    }

    /// HMAC-SHA-256 of `parts` under the MAC key, domain-separated by `purpose`.
    pub fn mac(&self, purpose: &str, parts: &[&[u8]]) -> [u8; 32] {
        // A 32-byte key is always accepted by HMAC.
        let mut m = <HmacSha256 as Mac>::new_from_slice(&self.mac_key)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        m.update(purpose.as_bytes());
        m.update(&[0]);
        for p in parts {
            m.update(&(p.len() as u64).to_be_bytes());
            m.update(p);
        }
        m.finalize().into_bytes().into()
    }

    /// The keyed hash by which a citizen's earlier materials are found: never the ID number.
    pub fn applicant_key(&self, id_number: &str) -> [u8; 32] {
        self.mac(
            "applicant",
            &[id_number.trim().to_ascii_uppercase().as_bytes()],
        )
    }

    /// The verifier printed on the receipt, derived from the application id so that an
    /// idempotent replay returns the same receipt without the verifier being stored.
    pub fn verifier_for(&self, application_id: &str) -> String {
        let mac = self.mac("verifier", &[application_id.as_bytes()]);
        encode_base32(&mac, 8)
    }

    /// What is stored to check a verifier later.
    pub fn verifier_hash(&self, verifier: &str) -> [u8; 32] {
        self.mac(
            "verifier-hash",
            &[verifier.trim().to_ascii_uppercase().as_bytes()],
        )
    }

    /// Seals personal data; `context` (the record id) is bound as associated data so a sealed
    /// blob cannot be moved to another record.
    pub fn seal(&self, context: &str, plaintext: &[u8]) -> Result<Vec<u8>, HallError> {
        let cipher = ChaCha20Poly1305::new(Key::from_slice(&self.data_key));
        let nonce: [u8; 12] = random_bytes()?;
        let payload = Payload {
            msg: plaintext,
            aad: context.as_bytes(),
        };
        let mut out = nonce.to_vec();
        out.extend(
            cipher
                .encrypt(Nonce::from_slice(&nonce), payload)
                .map_err(|_| HallError::Crypto("sealing failed".into()))?,
        );
        Ok(out)
    }

    /// Opens what [`Secrets::seal`] sealed for the same context.
    pub fn open(&self, context: &str, sealed: &[u8]) -> Result<Vec<u8>, HallError> {
        if sealed.len() < 12 {
            return Err(HallError::Crypto("sealed blob too short".into()));
        }
        let cipher = ChaCha20Poly1305::new(Key::from_slice(&self.data_key));
        let (nonce, body) = sealed.split_at(12);
        cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| HallError::Crypto("sealed blob does not open with this key".into()))
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// SHA-256, for high-entropy credentials (32 random bytes need no slow hash).
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Compares in time that depends only on the length, so a secret cannot be guessed byte by
/// byte from response times.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The first `chars` base32 characters of `bytes` (5 bits each).
pub fn encode_base32(bytes: &[u8], chars: usize) -> String {
    let mut out = String::with_capacity(chars);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &b in bytes {
        if out.len() == chars {
            break;
        }
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 && out.len() < chars {
            bits -= 5;
            out.push(char::from(ALPHABET[((acc >> bits) & 31) as usize]));
        }
        acc &= (1 << bits) - 1;
    }
    out
}

/// A random tracking code `YYMMDD-XXXX-XXXX` (40 random bits after the date).
pub fn new_tracking_code(date: chrono::NaiveDate) -> Result<String, HallError> {
    let r = encode_base32(&random_bytes::<5>()?, 8);
    Ok(format!("{}-{}-{}", date.format("%y%m%d"), &r[..4], &r[4..]))
}

/// A random id (128 bits, hex).
pub fn new_id() -> Result<String, HallError> {
    Ok(hex::encode(random_bytes::<16>()?))
}

/// A short random reference for citizens (`TS-7KQ2M9`).
pub fn new_reference(prefix: &str) -> Result<String, HallError> {
    Ok(format!(
        "{prefix}-{}",
        encode_base32(&random_bytes::<4>()?, 6)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_data_opens_only_with_the_same_key_and_context() {
        let s = Secrets::generate().unwrap();
        let sealed = s
            .seal("app-1", "张三 11010519491231002X".as_bytes())
            .unwrap();
        assert!(!sealed.windows(6).any(|w| w == "张三".as_bytes()));
        assert_eq!(
            s.open("app-1", &sealed).unwrap(),
            "张三 11010519491231002X".as_bytes()
        );
        assert!(s.open("app-2", &sealed).is_err());
        assert!(Secrets::generate().unwrap().open("app-1", &sealed).is_err());
    }

    #[test]
    fn the_key_file_is_created_private_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hall.keys");
        let a = Secrets::load_or_create(&path).unwrap();
        let b = Secrets::load_or_create(&path).unwrap();
        assert_eq!(
            a.applicant_key("11010519491231002x"),
            b.applicant_key("11010519491231002X")
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(&path, "zz").unwrap();
        assert!(matches!(
            Secrets::load_or_create(&path),
            Err(HallError::KeyFile(_))
        ));
    }

    #[test]
    fn verifiers_are_stable_per_application_and_codes_look_right() {
        let s = Secrets::generate().unwrap();
        let v = s.verifier_for("abc");
        assert_eq!(v, s.verifier_for("abc"));
        assert_ne!(v, s.verifier_for("abd"));
        assert_eq!(v.len(), 8);
        assert_eq!(s.verifier_hash(&v.to_lowercase()), s.verifier_hash(&v));
        let date = chrono::NaiveDate::from_ymd_opt(2024, 5, 6).unwrap();
        let code = new_tracking_code(date).unwrap();
        assert_eq!(code.len(), 16);
        assert!(code.starts_with("240506-"));
        assert_eq!(encode_base32(&[0xff, 0xff], 3), "ZZZ");
        assert!(constant_time_eq(b"abc", b"abc") && !constant_time_eq(b"abc", b"abd"));
    }
}
