//! The bundled menu's queries walked with the store's replies given by hand: the bill
//! (1 2: password first, balance and charges spoken, owing, top-up with a card, refused
//! cards), installation progress (1 3: order number or phone number, each state) and
//! repair progress (3 4), and the password gate a menu can't get around.

use chrono::NaiveDate;

use super::call::{play, play_fixed, queue, Call, CALLER};
use super::{bundled, load};
use crate::accounts::orders::HalfDay;
use crate::menu::requests::{PasswordSubject, Secret};
use crate::menu::{
    BalanceFound, CardRedeemed, Cents, OrderFound, OrderState, Output, PasswordChecked,
    PasswordStatus, RepairFound, RepairProgress, RepairStage, Reply, Request,
};

fn ask(request: Request) -> Vec<Output> {
    vec![Output::Request(request)]
}

fn balance_of_caller() -> Vec<Output> {
    ask(Request::QueryBalance {
        number: CALLER.into(),
    })
}

/// 1 2 with a password, the right one typed: the balance query goes out.
fn bill() -> Call {
    let (mut call, _) = Call::new(bundled());
    let account = PasswordSubject::Line(CALLER.into());
    assert_eq!(
        call.walk("12"),
        ask(Request::PasswordStatus {
            account: account.clone()
        })
    );
    let out = call.reply(Reply::PasswordStatus(PasswordStatus::HasPassword));
    assert_eq!(out, vec![play(&["15"])]);
    assert_eq!(call.finished(), vec![]);
    let password = Secret::new("582046".into());
    assert_eq!(
        call.keys("582046#"),
        ask(Request::CheckPassword { account, password })
    );
    let out = call.reply(Reply::PasswordChecked(PasswordChecked::Accepted));
    assert_eq!(out, balance_of_caller());
    call
}

fn found(balance: i64, charges: i64) -> Reply {
    Reply::Balance(BalanceFound::Found {
        balance: Cents(balance),
        charges: Cents(charges),
    })
}

/// The bill spoken, then the top-up offer; at the card number.
fn topping_up() -> Call {
    let mut call = bill();
    call.reply(found(1000, 0));
    assert_eq!(
        call.finished(),
        vec![play(&["charges-are", "digit-0", "yuan"])]
    );
    assert_eq!(call.finished(), vec![play(&["topup-offer"])]);
    assert_eq!(call.answer('1'), vec![play(&["card-number"])]);
    call
}

/// Types a card number and PIN from the card-number prompt: the redemption goes out.
fn card(call: &mut Call, number: &str, pin: &str) -> Vec<Output> {
    assert_eq!(call.finished(), vec![]);
    assert_eq!(call.keys(&format!("{number}#")), vec![play(&["card-pin"])]);
    assert_eq!(call.finished(), vec![]);
    call.keys(&format!("{pin}#"))
}

fn redeem(card: &str, pin: &str) -> Vec<Output> {
    ask(Request::RedeemCard {
        number: CALLER.into(),
        card: card.into(),
        pin: Secret::new(pin.into()),
    })
}

#[test]
fn the_bill_speaks_balance_and_charges_in_mandarin_amounts_then_offers_a_top_up() {
    let mut call = bill();
    let out = call.reply(found(12_345, 3_050));
    let balance = [
        "balance-is",
        "num-1",
        "num-100",
        "digit-2",
        "num-10",
        "digit-3",
        "yuan",
    ];
    let cents = ["digit-4", "jiao", "digit-5", "fen"];
    assert_eq!(out, vec![play(&[&balance[..], &cents[..]].concat())]);
    let charges = [
        "charges-are",
        "digit-3",
        "num-10",
        "yuan",
        "digit-5",
        "jiao",
    ];
    assert_eq!(call.finished(), vec![play(&charges)]);
    assert_eq!(call.finished(), vec![play(&["topup-offer"])]);
    assert_eq!(call.answer('*'), vec![play(&["02"])]);
}

#[test]
fn a_balance_below_zero_is_heard_as_owing() {
    let mut call = bill();
    let out = call.reply(found(-2_000, 500));
    assert_eq!(out, vec![play(&["owing", "digit-2", "num-10", "yuan"])]);
}

#[test]
fn a_line_without_a_bill_or_a_store_failure_is_told_so() {
    let mut call = bill();
    let out = call.reply(Reply::Balance(BalanceFound::Unknown));
    assert_eq!(out, vec![play(&["balance-unknown"])]);
    let mut call = bill();
    let out = call.reply(Reply::Balance(BalanceFound::Unavailable));
    assert_eq!(out, vec![play(&["store-unavailable"])]);
}

#[test]
fn a_card_tops_up_and_the_new_balance_is_spoken_and_its_pin_never_shown() {
    let mut call = topping_up();
    let out = card(&mut call, "1234567890", "987654321");
    assert_eq!(out, redeem("1234567890", "987654321"));
    let path = format!("{:?}", call.session.path());
    assert!(
        !path.contains("987654321") && path.contains("******"),
        "{path}"
    );
    let out = call.reply(Reply::CardRedeemed(CardRedeemed::ToppedUp {
        balance: Cents(6_000),
    }));
    assert_eq!(out, vec![play(&["topup-done"])]);
    assert_eq!(call.finished(), vec![play(&["digit-6", "num-10", "yuan"])]);
    assert_eq!(call.finished(), vec![play(&["02"])]);
}

#[test]
fn a_refused_card_asks_again_and_a_second_one_ends_the_call() {
    let mut call = topping_up();
    card(&mut call, "1234567890", "111111");
    let out = call.reply(Reply::CardRedeemed(CardRedeemed::Refused));
    assert_eq!(out, vec![play(&["card-refused"])]);
    assert_eq!(call.finished(), vec![play(&["card-number"])]);
    let out = card(&mut call, "1234567890", "222222");
    assert_eq!(out, redeem("1234567890", "222222"));
    let out = call.reply(Reply::CardRedeemed(CardRedeemed::Refused));
    assert_eq!(out, vec![play_fixed(&["09"])]);
    assert_eq!(call.finished(), vec![Output::Hangup]);
}

#[test]
fn without_a_password_the_bill_sends_the_caller_to_set_one() {
    let (mut call, _) = Call::new(bundled());
    call.walk("12");
    let out = call.reply(Reply::PasswordStatus(PasswordStatus::NoPassword));
    assert_eq!(out, vec![play(&["14"])]);
    assert_eq!(call.answer('1'), vec![play(&["16"])]);
}

/// The bundled menu with 9 → a menu whose 1 asks for the balance with no password check.
fn no_gate() -> std::sync::Arc<crate::menu::Menu> {
    let text = super::flow_diagnostics::with_key_action(
        "{query_balance: {found: {say: balance, then: top}, unknown: top, unavailable: \
         {play: store-unavailable, then: top}}}",
    );
    std::sync::Arc::new(load(&text).expect("loads"))
}

#[test]
fn no_menu_gets_a_balance_before_the_lines_password_was_accepted_in_the_call() {
    let (mut call, _) = Call::new(no_gate());
    assert_eq!(call.walk("91"), vec![play(&["store-unavailable"])]);

    let (mut call, _) = Call::new(no_gate());
    call.walk("12");
    call.reply(Reply::PasswordStatus(PasswordStatus::HasPassword));
    call.finished();
    call.keys("582046#");
    let out = call.reply(Reply::PasswordChecked(PasswordChecked::Wrong));
    assert_eq!(out, vec![play(&["24"])]);
    assert_eq!(call.finished(), vec![play(&["15"])]);
    assert_eq!(call.walk("**91"), vec![play(&["store-unavailable"])]);
}

fn order_state(state: OrderState) -> Reply {
    Reply::Order(OrderFound::Found(state))
}

#[test]
fn installation_progress_by_order_number_speaks_the_orders_state() {
    let (mut call, _) = Call::new(bundled());
    assert_eq!(call.walk("13"), vec![play(&["20"])]);
    assert_eq!(call.answer('1'), vec![play(&["order-number"])]);
    assert_eq!(call.finished(), vec![]);
    let out = call.keys("2026110500042#");
    let order_or_number = "2026110500042".to_string();
    assert_eq!(out, ask(Request::OrderStatus { order_or_number }));
    let appointed = OrderState::Appointed {
        date: NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
        half: HalfDay::Afternoon,
    };
    let out = call.reply(order_state(appointed));
    let date = [
        "num-10", "num-1", "month", "digit-2", "num-10", "digit-8", "day",
    ];
    let spoken = [&["order-appointed"][..], &date[..], &["afternoon"][..]].concat();
    assert_eq!(out, vec![play(&spoken)]);
    assert_eq!(call.finished(), vec![play(&["02"])]);
}

#[test]
fn installation_progress_by_phone_number_and_an_unknown_order_asks_again() {
    let (mut call, _) = Call::new(bundled());
    call.walk("13");
    assert_eq!(call.answer('2'), vec![play(&["21"])]);
    assert_eq!(call.finished(), vec![]);
    let order_or_number = "07558765432".to_string();
    assert_eq!(
        call.keys("07558765432#"),
        ask(Request::OrderStatus { order_or_number })
    );
    let out = call.reply(Reply::Order(OrderFound::Unknown));
    assert_eq!(out, vec![play(&["order-unknown"])]);
    assert_eq!(call.finished(), vec![play(&["21"])]);
    call.finished();
    call.keys("07558765432#");
    let out = call.reply(order_state(OrderState::UnderConstruction));
    assert_eq!(out, vec![play(&["order-construction"])]);
}

fn repair(stage: RepairStage, overdue: bool) -> Reply {
    let due = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
    Reply::Repair(RepairFound::Open(RepairProgress {
        serial: "202611270001".into(),
        stage,
        due: due.and_hms_opt(9, 0, 0).unwrap(),
        overdue,
    }))
}

#[test]
fn repair_progress_of_the_callers_line_speaks_its_stage_and_promised_time() {
    let (mut call, _) = Call::new(bundled());
    assert_eq!(call.walk("3"), vec![play(&["06", "repair-offer"])]);
    assert_eq!(call.answer('4'), vec![play(&["whose-number"])]);
    let number = CALLER.to_string();
    assert_eq!(call.answer('1'), ask(Request::RepairStatus { number }));
    let out = call.reply(repair(RepairStage::Dispatched, false));
    let due = [
        "num-10", "num-1", "month", "digit-2", "num-10", "digit-8", "day",
    ];
    let hour = ["digit-9", "o-clock"];
    let spoken = [
        &["repair-dispatched", "repair-due"][..],
        &due[..],
        &hour[..],
    ]
    .concat();
    assert_eq!(out, vec![play(&spoken)]);
    assert_eq!(call.finished(), vec![play(&["02"])]);
}

#[test]
fn repair_progress_of_another_number_overdue_or_none() {
    let (mut call, _) = Call::new(bundled());
    call.walk("34");
    assert_eq!(call.answer('2'), vec![play(&["21"])]);
    call.finished();
    let number = "07558765432".to_string();
    assert_eq!(
        call.keys("07558765432#"),
        ask(Request::RepairStatus { number })
    );
    let out = call.reply(repair(RepairStage::InProgress, true));
    assert_eq!(out, vec![play(&["repair-in-progress", "repair-overdue"])]);

    let (mut call, _) = Call::new(bundled());
    call.walk("341");
    let out = call.reply(Reply::Repair(RepairFound::NoOpenFault));
    assert_eq!(out, vec![play(&["repair-none"])]);
}

#[test]
fn a_number_query_goes_to_the_directory_desk() {
    let (mut call, _) = Call::new(bundled());
    assert_eq!(call.walk("11"), vec![play_fixed(&["05"])]);
    assert_eq!(call.finished(), vec![queue("directory")]);
}
