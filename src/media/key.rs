//! A DTMF key, however it arrived (RFC 4733, SIP INFO or in-band tone).

use std::fmt;

/// One of the sixteen DTMF keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Key(char);

impl Key {
    /// The key for a character `0-9`, `*`, `#`, `A-D` (lower case accepted).
    pub fn from_char(c: char) -> Option<Key> {
        let c = c.to_ascii_uppercase();
        matches!(c, '0'..='9' | '*' | '#' | 'A'..='D').then_some(Key(c))
    }

    /// The key for an RFC 4733 event code (0-9, 10 = `*`, 11 = `#`, 12-15 = A-D).
    pub fn from_event_code(code: u8) -> Option<Key> {
        let c = match code {
            0..=9 => (b'0' + code) as char,
            10 => '*',
            11 => '#',
            12..=15 => (b'A' + code - 12) as char,
            _ => return None,
        };
        Some(Key(c))
    }

    /// The RFC 4733 event code of this key.
    pub fn event_code(self) -> u8 {
        match self.0 {
            '0'..='9' => self.0 as u8 - b'0',
            '*' => 10,
            '#' => 11,
            c => c as u8 - b'A' + 12,
        }
    }

    /// The key as a character.
    pub fn as_char(self) -> char {
        self.0
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_codes_round_trip_for_all_sixteen_keys() {
        for code in 0..16 {
            let key = Key::from_event_code(code).unwrap();
            assert_eq!(key.event_code(), code);
            assert_eq!(Key::from_char(key.as_char()), Some(key));
        }
        assert_eq!(Key::from_event_code(16), None);
        assert_eq!(Key::from_char('x'), None);
        assert_eq!(Key::from_char('a'), Some(Key('A')));
    }
}
