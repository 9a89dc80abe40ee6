//! Service serial numbers (服务流水号) a caller can hear digit by digit (prompt 31) and
//! key back: 12 digits, `YYMMDD` (the hotline's local date) + a 5-digit sequence of that
//! day (00001–99999) + a Damm check digit. The Damm check catches every single wrong
//! digit and every swap of two neighbouring digits, the two usual slips when a number is
//! written down from speech or keyed back.
//!
//! The store hands out the day's sequence (a counter per local date, the serial column
//! UNIQUE); this module only builds and checks the digits.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// Digits of a serial number.
pub const SERIAL_LEN: usize = 12;
/// The highest sequence number of one day.
pub const MAX_SEQUENCE: u32 = 99_999;

/// A valid serial number.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Serial(String);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SerialError {
    #[error("a serial number has {SERIAL_LEN} digits")]
    Length,
    #[error("a serial number has digits only")]
    NotDigits,
    #[error("wrong check digit: the number was misheard or mistyped")]
    CheckDigit,
    #[error("sequence {0} is outside 1..={MAX_SEQUENCE}")]
    Sequence(u32),
    #[error("year {0} cannot be written as YY")]
    Year(i32),
}

/// The Damm quasigroup of order 10 (weakly totally anti-symmetric).
const DAMM: [[u8; 10]; 10] = [
    [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
    [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
    [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
    [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
    [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
    [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
    [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
    [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
    [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
    [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
];

/// The Damm check digit of `digits`; `None` if it holds anything but ASCII digits.
pub fn damm_check_digit(digits: &str) -> Option<u8> {
    digits.bytes().try_fold(0u8, |interim, b| {
        b.is_ascii_digit()
            .then(|| DAMM[usize::from(interim)][usize::from(b - b'0')])
    })
}

/// True if `digits` ends with its correct Damm check digit.
pub fn damm_is_valid(digits: &str) -> bool {
    !digits.is_empty() && damm_check_digit(digits) == Some(0)
}

impl Serial {
    /// The serial of the `sequence`-th ticket of the local `date`.
    pub fn new(date: NaiveDate, sequence: u32) -> Result<Serial, SerialError> {
        if !(1..=MAX_SEQUENCE).contains(&sequence) {
            return Err(SerialError::Sequence(sequence));
        }
        if !(2000..=2099).contains(&date.year()) {
            return Err(SerialError::Year(date.year()));
        }
        let body = format!("{}{sequence:05}", date.format("%y%m%d"));
        let check = damm_check_digit(&body).ok_or(SerialError::NotDigits)?;
        Ok(Serial(format!("{body}{check}")))
    }

    /// Checks a serial as keyed or typed back.
    pub fn parse(text: &str) -> Result<Serial, SerialError> {
        if !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(SerialError::NotDigits);
        }
        if text.len() != SERIAL_LEN {
            return Err(SerialError::Length);
        }
        if !damm_is_valid(text) {
            return Err(SerialError::CheckDigit);
        }
        Ok(Serial(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The digits to speak one by one.
    pub fn digits(&self) -> impl Iterator<Item = u8> + '_ {
        self.0.bytes().map(|b| b - b'0')
    }
}

impl TryFrom<String> for Serial {
    type Error = SerialError;
    fn try_from(text: String) -> Result<Self, SerialError> {
        Serial::parse(&text)
    }
}

impl From<Serial> for String {
    fn from(serial: Serial) -> String {
        serial.0
    }
}

impl fmt::Display for Serial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()
    }

    #[test]
    fn damm_check_digit_matches_the_published_example() {
        // Damm's worked example: 572 → check digit 4.
        assert_eq!(damm_check_digit("572"), Some(4));
        assert!(damm_is_valid("5724"));
        assert!(!damm_is_valid("5723"));
        assert_eq!(damm_check_digit("57a"), None);
    }

    #[test]
    fn serial_is_local_date_sequence_and_check_digit() {
        let serial = Serial::new(date(), 42).unwrap();
        assert_eq!(&serial.as_str()[..11], "26030200042");
        assert_eq!(serial.as_str().len(), SERIAL_LEN);
        assert_eq!(Serial::parse(serial.as_str()), Ok(serial.clone()));
        assert_eq!(serial.digits().count(), SERIAL_LEN);
    }

    #[test]
    fn any_single_wrong_digit_keyed_back_is_caught() {
        let serial = Serial::new(date(), 1234).unwrap();
        let digits = serial.as_str().as_bytes();
        for i in 0..digits.len() {
            for wrong in b'0'..=b'9' {
                if wrong == digits[i] {
                    continue;
                }
                let mut keyed = digits.to_vec();
                keyed[i] = wrong;
                let keyed = String::from_utf8(keyed).unwrap();
                assert_eq!(
                    Serial::parse(&keyed),
                    Err(SerialError::CheckDigit),
                    "{keyed}"
                );
            }
        }
    }

    #[test]
    fn any_swap_of_neighbouring_digits_keyed_back_is_caught() {
        let serial = Serial::new(date(), 98_761).unwrap();
        let digits = serial.as_str().as_bytes();
        for i in 0..digits.len() - 1 {
            if digits[i] == digits[i + 1] {
                continue;
            }
            let mut keyed = digits.to_vec();
            keyed.swap(i, i + 1);
            let keyed = String::from_utf8(keyed).unwrap();
            assert_eq!(
                Serial::parse(&keyed),
                Err(SerialError::CheckDigit),
                "{keyed}"
            );
        }
    }

    #[test]
    fn serial_with_letters_wrong_length_or_bad_sequence_is_refused() {
        assert_eq!(Serial::parse("26030200042x"), Err(SerialError::NotDigits));
        assert_eq!(Serial::parse("2603020004"), Err(SerialError::Length));
        assert_eq!(Serial::new(date(), 0), Err(SerialError::Sequence(0)));
        assert_eq!(
            Serial::new(date(), 100_000),
            Err(SerialError::Sequence(100_000))
        );
    }
}
