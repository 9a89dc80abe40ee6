//! Amounts of money: [`Cents`], integer 分 (hundredths of a yuan), parsed from and shown
//! as decimal text. Never floating point.
//!
//! Accepted text (decisions the spec leaves open): an optional sign (`+` or `-`), at
//! least one digit, then optionally a point and one or two digits (`123.45`, `-5`,
//! `0.5`, `+3.10`). Refused: empty text, spaces, a bare point (`.5`, `5.`), a third
//! decimal, exponents, thousands separators, and anything beyond ±`i64::MAX` cents.

use std::fmt;
use std::str::FromStr;

/// An amount of money in integer cents (分); never floating point.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default, serde::Serialize)]
pub struct Cents(pub i64);

/// Text that is not an amount; every message names the text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("amount is empty")]
    Empty,
    #[error("amount `{0}` is not a decimal number like 123.45")]
    NotAnAmount(String),
    #[error("amount `{0}` has more than 2 decimals")]
    TooManyDecimals(String),
    #[error("amount `{0}` is too large")]
    Overflow(String),
}

impl Cents {
    pub fn checked_add(self, other: Cents) -> Option<Cents> {
        self.0.checked_add(other.0).map(Cents)
    }

    pub fn is_negative(self) -> bool {
        self.0 < 0
    }
}

impl FromStr for Cents {
    type Err = AmountError;

    fn from_str(text: &str) -> Result<Cents, AmountError> {
        if text.is_empty() {
            return Err(AmountError::Empty);
        }
        let not_an_amount = || AmountError::NotAnAmount(text.to_string());
        let (negative, unsigned) = match text.as_bytes()[0] {
            b'-' => (true, &text[1..]),
            b'+' => (false, &text[1..]),
            _ => (false, text),
        };
        let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, "00"));
        let all_digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(whole) || !all_digits(fraction) {
            return Err(not_an_amount());
        }
        if fraction.len() > 2 {
            return Err(AmountError::TooManyDecimals(text.to_string()));
        }
        let overflow = || AmountError::Overflow(text.to_string());
        // Digits only, so a parse error is an overflow.
        let whole: i64 = whole.parse().map_err(|_| overflow())?;
        let fraction: i64 = format!("{fraction:0<2}")
            .parse()
            .map_err(|_| not_an_amount())?;
        let cents = whole
            .checked_mul(100)
            .and_then(|c| c.checked_add(fraction))
            .ok_or_else(overflow)?;
        Ok(Cents(if negative { -cents } else { cents }))
    }
}

impl fmt::Display for Cents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.is_negative() { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cents(text: &str) -> Result<i64, AmountError> {
        text.parse::<Cents>().map(|c| c.0)
    }

    #[test]
    fn decimal_text_becomes_exact_cents() {
        assert_eq!(cents("123.45"), Ok(12_345));
        assert_eq!(cents("-5"), Ok(-500));
        assert_eq!(cents("0.5"), Ok(50));
        assert_eq!(cents("1000"), Ok(100_000));
        assert_eq!(cents("+3.10"), Ok(310));
        assert_eq!(cents("-0.05"), Ok(-5));
        assert_eq!(cents("007.00"), Ok(700));
        assert_eq!(cents("92233720368547758.07"), Ok(i64::MAX));
    }

    #[test]
    fn malformed_text_is_refused_naming_it() {
        assert_eq!(cents(""), Err(AmountError::Empty));
        for bad in [
            ".5", "5.", "-", "+", "1,000", "1e3", " 1", "1 ", "--1", "1.2.3", "¥1", "0x10", "NaN",
        ] {
            assert_eq!(
                cents(bad),
                Err(AmountError::NotAnAmount(bad.to_string())),
                "{bad}"
            );
        }
        assert_eq!(
            cents("1.005"),
            Err(AmountError::TooManyDecimals("1.005".to_string()))
        );
        let error = cents("1.005").unwrap_err().to_string();
        assert!(error.contains("`1.005`"), "{error}");
    }

    #[test]
    fn amounts_beyond_i64_cents_overflow() {
        for big in [
            "92233720368547758.08",
            "92233720368547759",
            "99999999999999999999999",
        ] {
            assert_eq!(
                cents(big),
                Err(AmountError::Overflow(big.to_string())),
                "{big}"
            );
        }
    }

    #[test]
    fn display_has_two_decimals_and_a_sign_when_negative() {
        assert_eq!(Cents(12_345).to_string(), "123.45");
        assert_eq!(Cents(-5).to_string(), "-0.05");
        assert_eq!(Cents(0).to_string(), "0.00");
        assert_eq!(Cents(100_000).to_string(), "1000.00");
        assert_eq!(Cents(i64::MIN).to_string(), "-92233720368547758.08");
        for text in ["0.00", "-12.30", "99.99"] {
            assert_eq!(text.parse::<Cents>().unwrap().to_string(), text);
        }
    }

    #[test]
    fn checked_add_and_sign() {
        assert_eq!(Cents(150).checked_add(Cents(-200)), Some(Cents(-50)));
        assert_eq!(Cents(i64::MAX).checked_add(Cents(1)), None);
        assert!(Cents(-1).is_negative());
        assert!(!Cents(0).is_negative());
    }
}
