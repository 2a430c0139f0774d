//! The maintenance PIN, kept only as a salted, slow hash (PBKDF2-HMAC-SHA256), so a copy of
//! the configuration does not give away the PIN.
//!
//! Format: `pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>`.

use std::fmt;

use sha2::Sha256;

const SCHEME: &str = "pbkdf2-sha256";
/// Iterations for new hashes: about 0.1 s on a kiosk's CPU, once per PIN entry.
pub const DEFAULT_ITERATIONS: u32 = 100_000;
const MIN_ITERATIONS: u32 = 10_000;

/// Why a stored PIN hash cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PinHashError {
    /// Not in the `pbkdf2-sha256$…` form.
    #[error("not a PIN hash (expected pbkdf2-sha256$<iterations>$<salt>$<hash>)")]
    Format,
    /// Too few iterations to slow down guessing.
    #[error("too few iterations (at least {MIN_ITERATIONS})")]
    TooFewIterations,
}

/// Why a PIN cannot be hashed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a maintenance PIN is 6 to 12 digits")]
pub struct PinFormatError;

/// A parsed PIN hash.
#[derive(Clone, PartialEq, Eq)]
pub struct PinHash {
    iterations: u32,
    salt: Vec<u8>,
    hash: [u8; 32],
}

impl fmt::Debug for PinHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PinHash")
            .field("iterations", &self.iterations)
            .finish_non_exhaustive()
    }
}

impl PinHash {
    /// Parses the stored form.
    pub fn parse(text: &str) -> Result<Self, PinHashError> {
        let mut parts = text.trim().split('$');
        let (Some(SCHEME), Some(iterations), Some(salt), Some(hash), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(PinHashError::Format);
        };
        let iterations: u32 = iterations.parse().map_err(|_| PinHashError::Format)?;
        if iterations < MIN_ITERATIONS {
            return Err(PinHashError::TooFewIterations);
        }
        let salt = hex::decode(salt).map_err(|_| PinHashError::Format)?;
        let hash: [u8; 32] = hex::decode(hash)
            .ok()
            .and_then(|h| h.try_into().ok())
            .ok_or(PinHashError::Format)?;
        if salt.len() < 8 {
            return Err(PinHashError::Format);
        }
        Ok(PinHash {
            iterations,
            salt,
            hash,
        })
    }

    /// Hashes a new PIN with a fresh random salt.
    pub fn new(pin: &str) -> Result<Self, PinFormatError> {
        check_pin_format(pin)?;
        let mut salt = vec![0u8; 16];
        getrandom::fill(&mut salt).map_err(|_| PinFormatError)?;
        Ok(Self::with_salt(pin, salt, DEFAULT_ITERATIONS))
    }

    fn with_salt(pin: &str, salt: Vec<u8>, iterations: u32) -> Self {
        let mut hash = [0u8; 32];
        pbkdf2::pbkdf2_hmac::<Sha256>(pin.as_bytes(), &salt, iterations, &mut hash);
        PinHash {
            iterations,
            salt,
            hash,
        }
    }

    /// Whether `pin` is the PIN, compared in constant time.
    pub fn verify(&self, pin: &str) -> bool {
        let candidate = Self::with_salt(pin, self.salt.clone(), self.iterations);
        candidate
            .hash
            .iter()
            .zip(self.hash.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
    }
}

impl fmt::Display for PinHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{SCHEME}${}${}${}",
            self.iterations,
            hex::encode(&self.salt),
            hex::encode(self.hash)
        )
    }
}

fn check_pin_format(pin: &str) -> Result<(), PinFormatError> {
    if (6..=12).contains(&pin.len()) && pin.chars().all(|c| c.is_ascii_digit()) {
        Ok(())
    } else {
        Err(PinFormatError)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_pin_and_no_other() {
        let hash = PinHash::with_salt("258046", b"0123456789abcdef".to_vec(), MIN_ITERATIONS);
        let stored = hash.to_string();
        let parsed = PinHash::parse(&stored).unwrap();
        assert!(parsed.verify("258046"));
        assert!(!parsed.verify("258047"));
        assert!(!parsed.verify(""));
    }

    #[test]
    fn new_hashes_are_salted() {
        let a = PinHash::new("123456").unwrap();
        let b = PinHash::new("123456").unwrap();
        assert_ne!(a.to_string(), b.to_string());
        assert!(a.verify("123456") && b.verify("123456"));
    }

    #[test]
    fn short_or_non_digit_pins_are_refused() {
        assert!(PinHash::new("1234").is_err());
        assert!(PinHash::new("12345a").is_err());
    }

    #[test]
    fn malformed_stored_hashes_are_refused() {
        assert_eq!(PinHash::parse("sha256:abcd"), Err(PinHashError::Format));
        assert_eq!(PinHash::parse("258046"), Err(PinHashError::Format));
        let weak = PinHash::with_salt("258046", b"0123456789abcdef".to_vec(), 10);
        assert_eq!(
            PinHash::parse(&weak.to_string()),
            Err(PinHashError::TooFewIterations)
        );
    }
}
