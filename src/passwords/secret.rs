//! [`Secret`]: digits typed as a password or a card PIN. It prints as `******` in
//! `Debug` and `Display` (whatever its length, so logs do not even show how many digits
//! were typed) and its memory is zeroed when dropped.
//!
//! Equality is not constant-time: it only compares two entries by the same caller (new
//! password and its confirmation). Checking against a stored password goes through
//! [`super::hash::verify_password`].

use std::fmt;

use zeroize::Zeroizing;

/// Digits typed as a password: Debug and Display print "******"; zeroized on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    pub fn new(digits: String) -> Secret {
        Secret(Zeroizing::new(digits))
    }

    /// The digits themselves: for hashing and checking only, never for output.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("******")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("******")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_never_prints_its_digits() {
        let secret = Secret::new("271828".to_string());
        assert_eq!(format!("{secret}"), "******");
        assert_eq!(format!("{secret:?}"), "******");
        assert_eq!(format!("{:?}", Some(&secret)), "Some(******)");
        assert_eq!(format!("{}", Secret::new("1".to_string())), "******");
        assert_eq!(secret.expose(), "271828");
    }

    #[test]
    fn two_entries_compare_by_their_digits() {
        let first = Secret::new("271828".to_string());
        assert_eq!(first, first.clone());
        assert_ne!(first, Secret::new("271829".to_string()));
    }
}
