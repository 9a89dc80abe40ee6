//! Password hashes: argon2id with the crate's default parameters (19 MiB, 2 passes,
//! 1 lane) and a random 16-byte salt, stored as a PHC string
//! (`$argon2id$v=19$m=19456,t=2,p=1$…`). Verification reads the parameters from the
//! stored string, so hashes made with other parameters keep verifying, and compares in
//! constant time (the `password-hash` crate's output comparison).
//!
//! Hashing takes tens of milliseconds on purpose: async callers run both functions on a
//! blocking thread (`tokio::task::spawn_blocking`).

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

use super::secret::Secret;

/// The PHC string of `secret` under a fresh random salt.
pub fn hash_password(secret: &Secret) -> String {
    let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>())
        .expect("16 bytes is a valid salt length");
    Argon2::default()
        .hash_password(secret.expose().as_bytes(), &salt)
        .expect("argon2id with default parameters hashes any password")
        .to_string()
}

/// Whether `secret` is the password of `phc`; false on a malformed PHC string too.
pub fn verify_password(secret: &Secret, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|hash| {
        Argon2::default()
            .verify_password(secret.expose().as_bytes(), &hash)
            .is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(digits: &str) -> Secret {
        Secret::new(digits.to_string())
    }

    #[test]
    fn a_hash_verifies_its_password_only() {
        let phc = hash_password(&secret("271828"));
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(!phc.contains("271828"));
        assert!(verify_password(&secret("271828"), &phc));
        assert!(!verify_password(&secret("271829"), &phc));
        assert!(!verify_password(&secret(""), &phc));
    }

    #[test]
    fn every_hash_has_its_own_salt() {
        let (a, b) = (
            hash_password(&secret("271828")),
            hash_password(&secret("271828")),
        );
        assert_ne!(a, b);
        assert!(verify_password(&secret("271828"), &b));
    }

    #[test]
    fn hashes_with_other_parameters_still_verify() {
        let params = argon2::Params::new(8 * 1024, 1, 1, None).unwrap();
        let argon2 = Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        let salt = SaltString::encode_b64(b"sixteen byte salt").unwrap();
        let phc = argon2.hash_password(b"314159", &salt).unwrap().to_string();
        assert!(phc.contains("m=8192,t=1,p=1"), "{phc}");
        assert!(verify_password(&secret("314159"), &phc));
    }

    #[test]
    fn a_malformed_or_foreign_phc_string_verifies_nothing() {
        let good = hash_password(&secret("271828"));
        let truncated = &good[..good.len() - 10];
        let other_algorithm = good.replace("$argon2id$", "$pbkdf2-sha256$");
        let bad_params = good.replace("m=19456", "m=x");
        for phc in [
            "",
            "271828",
            "$argon2id$",
            "$argon2id$v=19$m=19456,t=2,p=1$",
            truncated,
            &other_algorithm,
            &bad_params,
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$!!!not-base64!!!",
        ] {
            assert!(!verify_password(&secret("271828"), phc), "{phc}");
        }
    }
}
