//! Encryption of outbox payloads at rest: XChaCha20-Poly1305 with the kiosk's 32-byte key.
//!
//! Each record gets a fresh random 24-byte nonce; the record's kind and idempotency key are
//! authenticated as associated data, so a payload cannot be moved to another record.

use std::path::Path;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use zeroize::Zeroizing;

use super::OutboxError;

const NONCE_LEN: usize = 24;

/// The key that seals outbox payloads. Never printed.
pub struct OutboxKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for OutboxKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OutboxKey(<redacted>)")
    }
}

impl OutboxKey {
    /// Reads the key file: 32 raw bytes, or 64 hex digits (a trailing newline is fine).
    pub fn from_file(path: &Path) -> Result<Self, OutboxError> {
        let bytes = Zeroizing::new(std::fs::read(path).map_err(|source| OutboxError::Key {
            path: path.to_path_buf(),
            reason: source.to_string(),
        })?);
        Self::from_bytes(&bytes).ok_or_else(|| OutboxError::Key {
            path: path.to_path_buf(),
            reason: "not a 32-byte key (expected 32 raw bytes or 64 hex digits)".into(),
        })
    }

    /// A key from its raw or hex-encoded bytes.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let mut key = Zeroizing::new([0u8; 32]);
        if bytes.len() == 32 {
            key.copy_from_slice(bytes);
            return Some(OutboxKey(key));
        }
        let text = std::str::from_utf8(bytes).ok()?.trim();
        let decoded = Zeroizing::new(hex::decode(text).ok()?);
        (decoded.len() == 32).then(|| {
            key.copy_from_slice(&decoded);
            OutboxKey(key)
        })
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(self.0.as_ref().into())
    }

    /// Seals `plaintext`; the output is nonce ‖ ciphertext ‖ tag.
    pub fn seal(&self, plaintext: &[u8], associated: &[u8]) -> Result<Vec<u8>, OutboxError> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(|e| OutboxError::Crypto(e.to_string()))?;
        let sealed = self
            .cipher()
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: associated,
                },
            )
            .map_err(|_| OutboxError::Crypto("encryption failed".into()))?;
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Opens what [`seal`](Self::seal) produced; fails if it was altered or moved.
    pub fn open(
        &self,
        sealed: &[u8],
        associated: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, OutboxError> {
        if sealed.len() < NONCE_LEN {
            return Err(OutboxError::Crypto("sealed payload too short".into()));
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        self.cipher()
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: associated,
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| {
                OutboxError::Crypto(
                    "payload does not decrypt: wrong key file, or the record was altered".into(),
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> OutboxKey {
        OutboxKey::from_bytes(&[byte; 32]).unwrap()
    }

    #[test]
    fn sealed_payloads_open_only_with_the_same_key_and_record() {
        let plaintext = r#"{"name":"张三","id":"110101199003074514"}"#.as_bytes();
        let sealed = key(1).seal(plaintext, b"application/k-1").unwrap();
        assert!(!sealed.windows(6).any(|w| w == "张三".as_bytes()));
        assert_eq!(
            &key(1).open(&sealed, b"application/k-1").unwrap()[..],
            plaintext
        );
        assert!(key(2).open(&sealed, b"application/k-1").is_err());
        assert!(key(1).open(&sealed, b"application/k-2").is_err());
        let mut altered = sealed.clone();
        *altered.last_mut().unwrap() ^= 1;
        assert!(key(1).open(&altered, b"application/k-1").is_err());
    }

    #[test]
    fn the_same_payload_seals_differently_each_time() {
        let a = key(1).seal(b"x", b"").unwrap();
        let b = key(1).seal(b"x", b"").unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn keys_are_raw_or_hex_and_nothing_else() {
        assert!(OutboxKey::from_bytes(&[0u8; 32]).is_some());
        let hex_key = format!("{}\n", "ab".repeat(32));
        assert!(OutboxKey::from_bytes(hex_key.as_bytes()).is_some());
        assert!(OutboxKey::from_bytes(&[0u8; 31]).is_none());
        assert!(OutboxKey::from_bytes(b"not a key").is_none());
        assert_eq!(format!("{:?}", key(9)), "OutboxKey(<redacted>)");
    }
}
