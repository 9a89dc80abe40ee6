//! What `say: …` speaks: the prompts (ids without the language folder) for what a reply
//! told, and every prompt each `say` can speak, which the decoder notes so that
//! `hotline check` finds a missing recording before a caller does.
//!
//! Decisions (the spec only says amounts are spoken from digit prompts):
//! - a balance below zero is spoken as what is owed: `owing` ("您已欠费") and the amount
//!   without the minus, not "your balance is minus …";
//! - a repair's promised time is spoken to the hour (十一月二十八日十四点), the first
//!   report's time plus 24 hours (spec §3 rule 1); once passed, `repair-overdue` instead.

use super::requests::{Cents, OrderState, RepairProgress, RepairStage, Weakness};
use super::schema::Said;
use crate::accounts::spoken::{speak_amount, speak_date_hour, AMOUNT_WORDS, NUMBER_WORDS};

/// Every reason a new password can be refused with.
const WEAKNESSES: [Weakness; 4] = [
    Weakness::NotSixDigits,
    Weakness::SameDigit,
    Weakness::StraightRun,
    Weakness::LineSuffix,
];

/// The stages of a repair, each with its prompt.
const STAGES: [(RepairStage, &str); 3] = [
    (RepairStage::Accepted, "repair-accepted"),
    (RepairStage::Dispatched, "repair-dispatched"),
    (RepairStage::InProgress, "repair-in-progress"),
];

/// "您的余额为一百元", or "您已欠费五元" below zero.
pub(crate) fn balance(balance: Cents) -> Vec<&'static str> {
    if balance.is_negative() {
        let mut prompts = vec!["owing"];
        prompts.extend(speak_amount(Cents(balance.0.saturating_neg())));
        prompts
    } else {
        let mut prompts = vec!["balance-is"];
        prompts.extend(speak_amount(balance));
        prompts
    }
}

/// "本月话费为三十元".
pub(crate) fn charges(charges: Cents) -> Vec<&'static str> {
    let mut prompts = vec!["charges-are"];
    prompts.extend(speak_amount(charges));
    prompts
}

/// The amount only (it follows `topup-done`, "充值成功，您的余额为").
pub(crate) fn new_balance(balance: Cents) -> Vec<&'static str> {
    speak_amount(balance)
}

pub(crate) fn order(state: OrderState) -> Vec<&'static str> {
    state.prompts()
}

/// The stage, then the promised time or that it has passed.
pub(crate) fn repair(progress: &RepairProgress) -> Vec<&'static str> {
    let mut prompts = vec![stage_prompt(progress.stage)];
    if progress.overdue {
        prompts.push("repair-overdue");
    } else {
        prompts.push("repair-due");
        prompts.extend(speak_date_hour(progress.due));
    }
    prompts
}

pub(crate) fn weakness(weakness: Weakness) -> Vec<&'static str> {
    vec![weakness.prompt()]
}

fn stage_prompt(stage: RepairStage) -> &'static str {
    let (_, prompt) = STAGES
        .iter()
        .find(|(s, _)| *s == stage)
        .expect("every stage");
    prompt
}

/// Every prompt `say: what` can speak.
pub(crate) fn every_prompt(what: Said) -> Vec<&'static str> {
    let amounts = || NUMBER_WORDS.into_iter().chain(AMOUNT_WORDS);
    match what {
        Said::Weakness => WEAKNESSES.iter().map(|w| w.prompt()).collect(),
        Said::Balance => ["balance-is", "owing"]
            .into_iter()
            .chain(amounts())
            .collect(),
        Said::Charges => ["charges-are"].into_iter().chain(amounts()).collect(),
        Said::NewBalance => amounts().collect(),
        Said::Order => OrderState::every_prompt(),
        Said::Repair => {
            let mut prompts: Vec<&str> = STAGES.iter().map(|(_, p)| *p).collect();
            prompts.extend(["repair-overdue", "repair-due"]);
            prompts.extend(NUMBER_WORDS);
            prompts.extend(crate::accounts::spoken::DATE_WORDS);
            prompts
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn progress(stage: RepairStage, overdue: bool) -> RepairProgress {
        let due = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        RepairProgress {
            serial: "202611270001".into(),
            stage,
            due: due.and_hms_opt(14, 5, 0).unwrap(),
            overdue,
        }
    }

    #[test]
    fn a_balance_below_zero_is_spoken_as_owed() {
        assert_eq!(
            balance(Cents(1050)),
            ["balance-is", "num-10", "yuan", "digit-5", "jiao"]
        );
        assert_eq!(balance(Cents(-500)), ["owing", "digit-5", "yuan"]);
        assert_eq!(balance(Cents(0)), ["balance-is", "digit-0", "yuan"]);
        assert_eq!(charges(Cents(5)), ["charges-are", "digit-5", "fen"]);
        assert_eq!(new_balance(Cents(200)), ["digit-2", "yuan"]);
    }

    #[test]
    fn a_repair_speaks_its_stage_then_the_promised_hour_or_that_it_passed() {
        assert_eq!(
            repair(&progress(RepairStage::Dispatched, false)),
            [
                "repair-dispatched",
                "repair-due",
                "num-10",
                "num-1",
                "month",
                "digit-2",
                "num-10",
                "digit-8",
                "day",
                "num-10",
                "digit-4",
                "o-clock"
            ]
        );
        assert_eq!(
            repair(&progress(RepairStage::InProgress, true)),
            ["repair-in-progress", "repair-overdue"]
        );
    }

    #[test]
    fn every_prompt_a_say_speaks_is_listed_for_the_prompt_check() {
        let spoken = [
            (Said::Balance, balance(Cents(-1_000_001))),
            (Said::Balance, balance(Cents(123_456_789))),
            (Said::Charges, charges(Cents(10_005))),
            (Said::NewBalance, new_balance(Cents(-20))),
            (
                Said::Repair,
                repair(&progress(RepairStage::Accepted, false)),
            ),
            (
                Said::Repair,
                repair(&progress(RepairStage::InProgress, true)),
            ),
            (Said::Weakness, weakness(Weakness::LineSuffix)),
            (
                Said::Order,
                order(OrderState::Appointed {
                    date: NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
                    half: crate::accounts::orders::HalfDay::Afternoon,
                }),
            ),
        ];
        for (what, prompts) in spoken {
            let every = every_prompt(what);
            for prompt in prompts {
                assert!(every.contains(&prompt), "{what:?} can speak {prompt}");
            }
        }
    }
}
