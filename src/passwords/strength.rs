//! Weak passwords refused with a spoken reason: not six digits, one digit six times,
//! a straight run up or down, or the last six digits of the line's own number. The last
//! three rules can each be turned off ([`StrengthRules`]); six digits is always required.
//!
//! Decisions the spec is silent on: a run does not wrap around (`890123` and `901234`
//! are accepted); the line rule applies only when the number ends in six digits (a
//! broadband account like `adsl.wang` has no such suffix), and for a contract password
//! the caller passes the contract number.

use serde::Deserialize;

use super::secret::Secret;

/// Which weakness rules apply. Default: all.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StrengthRules {
    pub refuse_same_digit: bool,
    pub refuse_straight_run: bool,
    pub refuse_line_suffix: bool,
}

impl Default for StrengthRules {
    fn default() -> Self {
        StrengthRules {
            refuse_same_digit: true,
            refuse_straight_run: true,
            refuse_line_suffix: true,
        }
    }
}

/// Why a candidate password is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Weakness {
    NotSixDigits,
    SameDigit,
    StraightRun,
    LineSuffix,
}

impl Weakness {
    /// The prompt that tells the caller.
    pub fn prompt(self) -> &'static str {
        match self {
            Weakness::NotSixDigits => "password-six-digits",
            Weakness::SameDigit => "password-weak-same",
            Weakness::StraightRun => "password-weak-run",
            Weakness::LineSuffix => "password-weak-line",
        }
    }
}

/// The first rule `candidate` breaks, in the order of [`Weakness`].
pub fn check_strength(
    rules: &StrengthRules,
    candidate: &Secret,
    line_number: &str,
) -> Result<(), Weakness> {
    let digits = candidate.expose().as_bytes();
    if digits.len() != 6 || !digits.iter().all(u8::is_ascii_digit) {
        return Err(Weakness::NotSixDigits);
    }
    if rules.refuse_same_digit && digits.iter().all(|d| *d == digits[0]) {
        return Err(Weakness::SameDigit);
    }
    let steps = || digits.windows(2).map(|w| i16::from(w[1]) - i16::from(w[0]));
    if rules.refuse_straight_run && (steps().all(|s| s == 1) || steps().all(|s| s == -1)) {
        return Err(Weakness::StraightRun);
    }
    let suffix = line_number
        .len()
        .checked_sub(6)
        .and_then(|start| line_number.get(start..));
    if rules.refuse_line_suffix && suffix.is_some_and(|s| s.as_bytes() == digits) {
        return Err(Weakness::LineSuffix);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINE: &str = "05512739406";

    fn check(rules: &StrengthRules, digits: &str) -> Result<(), Weakness> {
        check_strength(rules, &Secret::new(digits.to_string()), LINE)
    }

    #[test]
    fn six_digits_are_required_whatever_the_rules() {
        let none = StrengthRules {
            refuse_same_digit: false,
            refuse_straight_run: false,
            refuse_line_suffix: false,
        };
        for bad in [
            "",
            "12345",
            "1234567",
            "12a456",
            "12 456",
            "１２３４５６",
            "*23456",
        ] {
            assert_eq!(check(&none, bad), Err(Weakness::NotSixDigits), "{bad:?}");
        }
        assert_eq!(check(&none, "000000"), Ok(()));
    }

    #[test]
    fn one_digit_six_times_is_refused() {
        for bad in ["000000", "111111", "999999"] {
            assert_eq!(
                check(&StrengthRules::default(), bad),
                Err(Weakness::SameDigit)
            );
        }
        assert_eq!(check(&StrengthRules::default(), "111112"), Ok(()));
    }

    #[test]
    fn straight_runs_up_and_down_are_refused_without_wrapping() {
        for bad in ["123456", "654321", "012345", "456789", "987654", "543210"] {
            assert_eq!(
                check(&StrengthRules::default(), bad),
                Err(Weakness::StraightRun),
                "{bad}"
            );
        }
        for good in ["890123", "901234", "123457", "135791", "121212"] {
            assert_eq!(check(&StrengthRules::default(), good), Ok(()), "{good}");
        }
    }

    #[test]
    fn the_line_numbers_last_six_digits_are_refused() {
        assert_eq!(
            check(&StrengthRules::default(), "739406"),
            Err(Weakness::LineSuffix)
        );
        assert_eq!(check(&StrengthRules::default(), "055127"), Ok(()));
        let secret = Secret::new("739406".to_string());
        let rules = StrengthRules::default();
        assert_eq!(check_strength(&rules, &secret, "adsl.wang"), Ok(()));
        assert_eq!(check_strength(&rules, &secret, "39406"), Ok(()));
        assert_eq!(
            check_strength(&rules, &secret, "739406"),
            Err(Weakness::LineSuffix)
        );
    }

    #[test]
    fn each_rule_can_be_turned_off() {
        let off = |f: fn(&mut StrengthRules)| {
            let mut rules = StrengthRules::default();
            f(&mut rules);
            rules
        };
        let rules = off(|r| r.refuse_same_digit = false);
        assert_eq!(check(&rules, "777777"), Ok(()));
        let rules = off(|r| r.refuse_straight_run = false);
        assert_eq!(check(&rules, "123456"), Ok(()));
        let rules = off(|r| r.refuse_line_suffix = false);
        assert_eq!(check(&rules, "739406"), Ok(()));
    }

    #[test]
    fn each_weakness_has_its_prompt() {
        assert_eq!(Weakness::NotSixDigits.prompt(), "password-six-digits");
        assert_eq!(Weakness::SameDigit.prompt(), "password-weak-same");
        assert_eq!(Weakness::StraightRun.prompt(), "password-weak-run");
        assert_eq!(Weakness::LineSuffix.prompt(), "password-weak-line");
    }

    #[test]
    fn rules_read_from_configuration_default_to_on() {
        let rules: StrengthRules = serde_yaml::from_str("refuse_straight_run: false").unwrap();
        assert!(rules.refuse_same_digit && !rules.refuse_straight_run && rules.refuse_line_suffix);
        assert!(serde_yaml::from_str::<StrengthRules>("refuse_typos: true").is_err());
    }
}
