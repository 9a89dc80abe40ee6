//! Subscriber numbers: the 11 prefectures with their area codes, and which number shapes
//! each product accepts (spec §3, §4).
//!
//! - landline, public card phone, leased line: the area code of the line's prefecture
//!   followed by a 7–8 digit local number not starting with 0 or 1 (`05512345678`);
//! - broadband: an internet account `adsl…` or `lan…` (lower-case letters, digits,
//!   `.`, `_`, `-`, `@`, 5–40 characters), or, only in prefectures with
//!   `logical_broadband: true`, an 11-digit logical number starting `104` or `108`;
//! - wireless broadband: an 11-digit data number starting 13, 15, 17, 18 or 19.

use serde::{Deserialize, Serialize};

use super::model::LineKind;

/// One prefecture of the province (`config/prefectures.yaml`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prefecture {
    /// Stable code stored with lines and tickets (`jinghe`).
    pub code: String,
    /// Display name (`泾河`).
    pub name: String,
    /// Area code with its leading 0, 3–4 digits (`0551`).
    pub area_code: String,
    /// Broadband here may use logical numbers `104…`/`108…`.
    #[serde(default)]
    pub logical_broadband: bool,
}

/// The prefectures, checked by the loader: unique codes, prefix-free area codes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prefectures {
    list: Vec<Prefecture>,
}

/// The shape of a number, before it is looked up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NumberShape {
    /// A landline number with its area code; the prefecture it belongs to.
    Landline { prefecture: String },
    /// `adsl…` or `lan…`.
    BroadbandAccount,
    /// `104…` / `108…`.
    LogicalBroadband,
    /// An 11-digit wireless broadband data number.
    WirelessBroadband,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NumberError {
    #[error("empty number")]
    Empty,
    #[error("`{0}` is not a landline with its area code nor a broadband account")]
    Unrecognised(String),
    #[error("`{number}` is a {shape} number, not a {kind} number")]
    WrongKind {
        number: String,
        shape: &'static str,
        kind: LineKind,
    },
    #[error("`{number}` has the area code of {actual}, but the line is in {expected}")]
    WrongPrefecture {
        number: String,
        expected: String,
        actual: String,
    },
    #[error("logical broadband numbers (104…/108…) are not used in {0}")]
    LogicalNotUsedHere(String),
    #[error("unknown prefecture `{0}`")]
    UnknownPrefecture(String),
}

impl Prefectures {
    /// Wraps an already checked list (see `config::parse_prefectures`).
    pub(crate) fn new(list: Vec<Prefecture>) -> Self {
        Prefectures { list }
    }

    pub fn all(&self) -> &[Prefecture] {
        &self.list
    }

    pub fn get(&self, code: &str) -> Option<&Prefecture> {
        self.list.iter().find(|p| p.code == code)
    }

    /// The prefecture whose area code starts this landline number.
    pub fn of_landline(&self, number: &str) -> Option<&Prefecture> {
        self.list.iter().find(|p| {
            number
                .strip_prefix(p.area_code.as_str())
                .is_some_and(|local| {
                    (7..=8).contains(&local.len())
                        && local.bytes().all(|b| b.is_ascii_digit())
                        && !local.starts_with(['0', '1'])
                })
        })
    }

    /// What kind of number `number` is (a keyed or imported number, trimmed).
    pub fn shape(&self, number: &str) -> Result<NumberShape, NumberError> {
        if number.is_empty() {
            return Err(NumberError::Empty);
        }
        let digits = number.bytes().all(|b| b.is_ascii_digit());
        if digits && number.starts_with('0') {
            return self
                .of_landline(number)
                .map(|p| NumberShape::Landline {
                    prefecture: p.code.clone(),
                })
                .ok_or_else(|| NumberError::Unrecognised(number.to_string()));
        }
        if digits && number.len() == 11 {
            if number.starts_with("104") || number.starts_with("108") {
                return Ok(NumberShape::LogicalBroadband);
            }
            if ["13", "15", "17", "18", "19"]
                .iter()
                .any(|p| number.starts_with(p))
            {
                return Ok(NumberShape::WirelessBroadband);
            }
        }
        let account = (number.starts_with("adsl") || number.starts_with("lan"))
            && (5..=40).contains(&number.len())
            && number
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b".-_@".contains(&b));
        if account {
            return Ok(NumberShape::BroadbandAccount);
        }
        Err(NumberError::Unrecognised(number.to_string()))
    }

    /// Checks that `number` is a valid number for a line of `kind` in `prefecture`.
    pub fn check_line_number(
        &self,
        number: &str,
        kind: LineKind,
        prefecture: &str,
    ) -> Result<(), NumberError> {
        let home = self
            .get(prefecture)
            .ok_or_else(|| NumberError::UnknownPrefecture(prefecture.to_string()))?;
        let shape = self.shape(number)?;
        let wrong = |shape: &'static str| NumberError::WrongKind {
            number: number.to_string(),
            shape,
            kind,
        };
        match (kind, shape) {
            (
                LineKind::Landline | LineKind::PublicCardPhone | LineKind::LeasedLine,
                NumberShape::Landline { prefecture: actual },
            ) => {
                if actual == home.code {
                    Ok(())
                } else {
                    Err(NumberError::WrongPrefecture {
                        number: number.to_string(),
                        expected: home.code.clone(),
                        actual,
                    })
                }
            }
            (LineKind::Broadband, NumberShape::BroadbandAccount) => Ok(()),
            (LineKind::Broadband, NumberShape::LogicalBroadband) => {
                if home.logical_broadband {
                    Ok(())
                } else {
                    Err(NumberError::LogicalNotUsedHere(home.code.clone()))
                }
            }
            (LineKind::WirelessBroadband, NumberShape::WirelessBroadband) => Ok(()),
            (_, NumberShape::Landline { .. }) => Err(wrong("landline")),
            (_, NumberShape::BroadbandAccount) => Err(wrong("broadband account")),
            (_, NumberShape::LogicalBroadband) => Err(wrong("logical broadband")),
            (_, NumberShape::WirelessBroadband) => Err(wrong("wireless broadband")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prefectures() -> Prefectures {
        let p = |code: &str, area: &str, logical| Prefecture {
            code: code.into(),
            name: code.into(),
            area_code: area.into(),
            logical_broadband: logical,
        };
        Prefectures::new(vec![
            p("jinghe", "0551", true),
            p("qingshan", "0552", false),
        ])
    }

    #[test]
    fn landline_with_area_code_maps_to_its_prefecture() {
        let shape = prefectures().shape("05512345678").unwrap();
        assert_eq!(
            shape,
            NumberShape::Landline {
                prefecture: "jinghe".into()
            }
        );
        assert!(prefectures().shape("05522345678").is_ok()); // 7-digit local number
    }

    #[test]
    fn landline_without_known_area_code_or_with_bad_local_part_is_refused() {
        for bad in [
            "0599234567",
            "2345678",
            "05510345678",
            "0551234567890",
            "0551234",
        ] {
            assert!(prefectures().shape(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn broadband_accounts_are_adsl_or_lan() {
        let p = prefectures();
        assert_eq!(p.shape("adsl0551887766"), Ok(NumberShape::BroadbandAccount));
        assert_eq!(p.shape("lan.jh-10023"), Ok(NumberShape::BroadbandAccount));
        assert!(p.shape("ADSL123").is_err());
        assert!(p.shape("dsl12345").is_err());
    }

    #[test]
    fn logical_broadband_numbers_only_in_the_configured_prefectures() {
        let p = prefectures();
        assert_eq!(
            p.check_line_number("10412345678", LineKind::Broadband, "jinghe"),
            Ok(())
        );
        assert_eq!(
            p.check_line_number("10812345678", LineKind::Broadband, "qingshan"),
            Err(NumberError::LogicalNotUsedHere("qingshan".into()))
        );
    }

    #[test]
    fn landline_number_must_belong_to_the_line_prefecture_and_kind() {
        let p = prefectures();
        assert!(matches!(
            p.check_line_number("05512345678", LineKind::Landline, "qingshan"),
            Err(NumberError::WrongPrefecture { .. })
        ));
        assert!(matches!(
            p.check_line_number("05512345678", LineKind::Broadband, "jinghe"),
            Err(NumberError::WrongKind { .. })
        ));
        assert_eq!(
            p.check_line_number("13912345678", LineKind::WirelessBroadband, "jinghe"),
            Ok(())
        );
        assert_eq!(
            p.check_line_number("05512345678", LineKind::PublicCardPhone, "jinghe"),
            Ok(())
        );
    }
}
