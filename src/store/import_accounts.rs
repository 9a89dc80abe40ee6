//! The accounts CSVs, checked like the lines CSV ([`super::import`]): all rows good and
//! imported together, or nothing and every bad row reported as `FILE:LINE: reason`.
//!
//! - Balances (`hotline balances import`): `number, balance, month, charges`; amounts as
//!   decimal yuan (`123.45`, `-20`), the month `YYYY-MM` the charges cover.
//! - Orders (`hotline orders import`): `order_number, number, kind, tier, state,
//!   appointment_date, half_day, created_at`; kind `new-install`/`move`, state
//!   `waiting`/`appointed`/`deferred`/`construction`/`done`, an appointment
//!   (`2026-11-22`, `morning`/`afternoon`) for appointed orders only, `created_at` in
//!   RFC 3339 (`2026-03-10T09:15:00+08:00`) or local time (`2026-03-10 09:15`). The
//!   appointment deadline is computed here from the tier (`accounts::orders`).
//! - Cards (`hotline cards import`): `card_number, pin, value`. The file holds the PINs in
//!   clear (it is the operator's); they are hashed (argon2id) once every row is good, and
//!   only the hashes are stored.
//!
//! Order numbers, card numbers and PINs are digits only: callers key them on the phone.

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};

use crate::accounts::money::Cents;
use crate::accounts::orders::{appointment_due, OrderState};
use crate::passwords::hash::hash_password;
use crate::passwords::Secret;

use super::accounts::{Balance, InstallOrder, NewCard};
use super::import::{optional, parse_csv, parse_named, BadRow, Fields};

pub const BALANCE_COLUMNS: [&str; 4] = ["number", "balance", "month", "charges"];

pub const ORDER_COLUMNS: [&str; 8] = [
    "order_number",
    "number",
    "kind",
    "tier",
    "state",
    "appointment_date",
    "half_day",
    "created_at",
];

pub const CARD_COLUMNS: [&str; 3] = ["card_number", "pin", "value"];

pub fn parse_balances(text: &str, file: &str) -> Result<Vec<Balance>, Vec<BadRow>> {
    let check = |fields: &Fields| {
        let mut reasons = Vec::new();
        let number = required(fields, "number", &mut reasons);
        let balance = amount(fields, "balance", &mut reasons);
        let charges = amount(fields, "charges", &mut reasons);
        let month = required(fields, "month", &mut reasons);
        let month_ok = month.len() == 7
            && chrono::NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").is_ok();
        if !month.is_empty() && !month_ok {
            reasons.push(format!("month `{month}` is not YYYY-MM"));
        }
        match (balance, charges) {
            (Some(balance), Some(charges)) if reasons.is_empty() => Ok(Balance {
                number: number.to_string(),
                balance,
                month: month.to_string(),
                charges,
            }),
            _ => Err(reasons),
        }
    };
    parse_csv(
        text,
        file,
        &BALANCE_COLUMNS,
        check,
        "number",
        |b: &Balance| &b.number,
    )
}

/// `offset` is the hotline's local time: local `created_at` values and the 08:00–20:00
/// appointment hours are read in it.
pub fn parse_orders(
    text: &str,
    file: &str,
    offset: FixedOffset,
) -> Result<Vec<InstallOrder>, Vec<BadRow>> {
    let check = |fields: &Fields| {
        let field = |name: &str| fields.get(name);
        let mut reasons = Vec::new();
        let order_number = digits(fields, "order_number", &mut reasons);
        let number = required(fields, "number", &mut reasons);
        let kind = parse_named(required(fields, "kind", &mut reasons), &mut reasons);
        let tier = parse_named(required(fields, "tier", &mut reasons), &mut reasons);
        let half = parse_named(field("half_day"), &mut reasons);
        let date_text = field("appointment_date");
        let date = optional(date_text).and_then(|text| {
            let date = chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d");
            date.map_err(|_| reasons.push(format!("appointment_date `{text}` is not YYYY-MM-DD")))
                .ok()
        });
        let state_text = required(fields, "state", &mut reasons);
        // An unreadable date is reported already: the state is not judged without it.
        let date_unreadable = !date_text.is_empty() && date.is_none();
        let state = (!state_text.is_empty() && !date_unreadable)
            .then(|| OrderState::from_parts(state_text, date, half))
            .and_then(|state| state.map_err(|reason| reasons.push(reason)).ok());
        let created_at = created_at(field("created_at"), offset, &mut reasons);
        match (kind, tier, state, created_at) {
            (Some(kind), Some(tier), Some(state), Some(created_at)) if reasons.is_empty() => {
                Ok(InstallOrder {
                    order_number: order_number.to_string(),
                    number: number.to_string(),
                    kind,
                    state,
                    tier,
                    created_at,
                    appointment_due: appointment_due(created_at, kind, tier, offset),
                })
            }
            _ => Err(reasons),
        }
    };
    parse_csv(text, file, &ORDER_COLUMNS, check, "order_number", |order| {
        &order.order_number
    })
}

/// Checks every row, then hashes the PINs (slow on purpose: about 20 ms a card).
pub fn parse_cards(text: &str, file: &str) -> Result<Vec<NewCard>, Vec<BadRow>> {
    let check = |fields: &Fields| {
        let field = |name: &str| fields.get(name);
        let mut reasons = Vec::new();
        let card_number = digits(fields, "card_number", &mut reasons);
        let pin = Secret::new(field("pin").to_string());
        if pin.expose().is_empty() || !pin.expose().bytes().all(|b| b.is_ascii_digit()) {
            // The PIN itself is not repeated: the message may reach a log.
            reasons.push("pin must be digits".to_string());
        }
        let value = amount(fields, "value", &mut reasons);
        if value.is_some_and(|value| value.0 <= 0) {
            reasons.push("value must be more than 0".to_string());
        }
        match value {
            Some(value) if reasons.is_empty() => Ok((card_number.to_string(), pin, value)),
            _ => Err(reasons),
        }
    };
    let cards = parse_csv(text, file, &CARD_COLUMNS, check, "card_number", |card| {
        &card.0
    })?;
    Ok(cards
        .into_iter()
        .map(|(card_number, pin, value)| NewCard {
            card_number,
            pin_hash: hash_password(&pin),
            value,
        })
        .collect())
}

fn required<'r>(fields: &Fields<'r>, name: &str, reasons: &mut Vec<String>) -> &'r str {
    let value = fields.get(name);
    if value.is_empty() {
        reasons.push(format!("{name} is required"));
    }
    value
}

/// A required field of ASCII digits.
fn digits<'r>(fields: &Fields<'r>, name: &str, reasons: &mut Vec<String>) -> &'r str {
    let value = required(fields, name, reasons);
    if !value.is_empty() && !value.bytes().all(|b| b.is_ascii_digit()) {
        reasons.push(format!("{name} `{value}` is not digits"));
    }
    value
}

fn amount(fields: &Fields, name: &str, reasons: &mut Vec<String>) -> Option<Cents> {
    let text = required(fields, name, reasons);
    if text.is_empty() {
        return None;
    }
    text.parse()
        .map_err(|error| reasons.push(format!("{name}: {error}")))
        .ok()
}

fn created_at(text: &str, offset: FixedOffset, reasons: &mut Vec<String>) -> Option<DateTime<Utc>> {
    if text.is_empty() {
        reasons.push("created_at is required".to_string());
        return None;
    }
    let rfc3339 = DateTime::parse_from_rfc3339(text).map(|t| t.with_timezone(&Utc));
    let local = || {
        let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").ok()?;
        offset.from_local_datetime(&naive).single()
    };
    match (rfc3339, local()) {
        (Ok(t), _) => Some(t),
        (_, Some(t)) => Some(t.with_timezone(&Utc)),
        _ => {
            reasons.push(format!(
                "created_at `{text}` is not RFC 3339 nor YYYY-MM-DD HH:MM"
            ));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::orders::{HalfDay, OrderKind};
    use crate::passwords::hash::verify_password;
    use crate::tickets::model::Tier;

    fn china() -> FixedOffset {
        FixedOffset::east_opt(8 * 3600).unwrap()
    }

    fn shown(errors: Vec<BadRow>) -> Vec<String> {
        errors.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn balances_are_exact_and_every_bad_row_is_named() {
        let good = "number,balance,month,charges\n05512345678,123.45,2026-11,56.70\n\
                    05512345679,-20,2026-11,0\n";
        let rows = parse_balances(good, "b.csv").unwrap();
        assert_eq!(rows[0].balance, Cents(12_345));
        assert_eq!(rows[1].balance, Cents(-2_000));
        let bad = "number,balance,month,charges\n05512345678,1.234,2026-13,x\n\
                   ,5,2026-1,0\n05512345678,1,2026-11,0\n05512345678,1,2026-11,0\n";
        let errors = shown(parse_balances(bad, "b.csv").unwrap_err());
        assert_eq!(errors.len(), 3, "{errors:#?}");
        for part in [
            "b.csv:2: ",
            "`1.234` has more than 2 decimals",
            "`2026-13`",
            "`x`",
        ] {
            assert!(errors[0].contains(part), "{part} in {}", errors[0]);
        }
        assert!(
            errors[1].starts_with("b.csv:3: number is required"),
            "{}",
            errors[1]
        );
        assert!(errors[2].starts_with("b.csv:5: ") && errors[2].contains("line 4"));
    }

    #[test]
    fn orders_get_their_state_and_appointment_deadline() {
        let text = "order_number,number,kind,tier,state,appointment_date,half_day,created_at\n\
                    2026031001,05512345678,new-install,gold,appointed,2026-03-11,afternoon,2026-03-10 09:15\n\
                    2026031002,05512345679,move,diamond,waiting,,,2026-03-10T11:30:00Z\n";
        let orders = parse_orders(text, "o.csv", china()).unwrap();
        let date = chrono::NaiveDate::from_ymd_opt(2026, 3, 11).unwrap();
        let appointed = OrderState::Appointed {
            date,
            half: HalfDay::Afternoon,
        };
        assert_eq!(orders[0].state, appointed);
        assert_eq!(orders[0].kind, OrderKind::NewInstall);
        assert_eq!(orders[0].tier, Tier::Gold);
        let local = |d, h, m| china().with_ymd_and_hms(2026, 3, d, h, m, 0).unwrap();
        assert_eq!(orders[0].created_at, local(10, 9, 15));
        assert_eq!(orders[0].appointment_due, local(10, 16, 15));
        // 19:30 local, a move for a diamond customer: 30 min tonight, 30 min tomorrow.
        assert_eq!(orders[1].appointment_due, local(11, 8, 30));
    }

    #[test]
    fn bad_orders_are_named() {
        let text = "order_number,number,kind,tier,state,appointment_date,half_day,created_at\n\
                    A-1,05512345678,repair,platinum,appointed,,,yesterday\n\
                    2,05512345678,move,gold,done,2026-03-11,morning,2026-03-10 09:15\n\
                    3,05512345678,move,gold,appointed,2026-02-30,noon,2026-03-10 09:15\n\
                    4,05512345678,move,gold,lost,,,2026-03-10 09:15\n";
        let errors = shown(parse_orders(text, "o.csv", china()).unwrap_err());
        assert_eq!(errors.len(), 4, "{errors:#?}");
        for part in [
            "`A-1` is not digits",
            "`repair`",
            "`platinum`",
            "appointment date",
            "`yesterday`",
        ] {
            assert!(errors[0].contains(part), "{part} in {}", errors[0]);
        }
        assert!(
            errors[1].contains("`done` order has no appointment"),
            "{}",
            errors[1]
        );
        assert!(errors[2].contains("`2026-02-30`") && errors[2].contains("`noon`"));
        assert!(
            errors[3].contains("unknown order state `lost`"),
            "{}",
            errors[3]
        );
    }

    #[test]
    fn cards_are_hashed_and_their_pins_never_shown() {
        let text = "card_number,pin,value\n1000000001,271828,50\n";
        let cards = parse_cards(text, "c.csv").unwrap();
        assert_eq!(cards[0].value, Cents(5_000));
        assert!(verify_password(
            &Secret::new("271828".into()),
            &cards[0].pin_hash
        ));
        let bad = "card_number,pin,value\n10x,27a828,0\n1000000002,,1.001\n";
        let errors = shown(parse_cards(bad, "c.csv").unwrap_err());
        assert_eq!(errors.len(), 2, "{errors:#?}");
        assert!(errors[0].contains("`10x` is not digits") && errors[0].contains("more than 0"));
        assert!(errors[1].contains("pin must be digits") && errors[1].contains("`1.001`"));
        assert!(!errors.concat().contains("27a828"));
    }
}
