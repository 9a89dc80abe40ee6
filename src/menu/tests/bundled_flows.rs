//! The bundled menu's ticket flows walked to their request, as a caller would: 3 1 fault
//! report, 3 2 complaint, 3 3 suggestion, with the store's replies given by hand.

use std::time::Duration;

use super::bundled;
use super::call::{play, play_fixed, queue, say, Call, CALLER};
use crate::menu::{Form, LineFound, Output, Product, Reply, Request, SubmitKind, Submitted};

fn submit(kind: SubmitKind, form: Form, menu_path: &str) -> Output {
    Output::Request(Request::Submit {
        kind,
        form: Box::new(form),
        menu_path: menu_path.to_string(),
    })
}

fn created(serial: &str) -> Reply {
    Reply::Submitted(Submitted::Created {
        serial: serial.to_string(),
    })
}

/// 3 1 1 1: a telephone fault on the caller's own line, up to the phenomenon menu.
fn own_telephone_line() -> Call {
    let (mut call, _) = Call::new(bundled());
    let ask = Request::LookupLine {
        number: CALLER.into(),
        product: Some(Product::Telephone),
    };
    assert_eq!(call.walk("311"), vec![play(&["whose-number"])]);
    assert_eq!(call.answer('1'), vec![Output::Request(ask)]);
    let out = call.reply(Reply::Line(LineFound::Telephone));
    assert_eq!(out, vec![play(&["phenomenon-telephone"])]);
    assert_eq!(call.answer('1'), vec![play(&["describe", "beep"])]);
    call
}

fn own_line_fault() -> Form {
    Form {
        product: Some(Product::Telephone),
        number: Some(CALLER.into()),
        phenomenon: Some("no-dial-tone".into()),
        contact: Some(CALLER.into()),
        ..Form::default()
    }
}

#[test]
fn fault_on_own_line_with_the_description_skipped() {
    let mut call = own_telephone_line();
    let out = call.key('#');
    let skipped = vec![
        Output::StopPlayback,
        Output::DiscardRecording,
        play(&["contact-number"]),
    ];
    assert_eq!(out, skipped);
    let want = submit(SubmitKind::Fault, own_line_fault(), "3-1-1-1-1");
    assert_eq!(call.answer('#'), vec![want]);
}

#[test]
fn fault_on_own_line_recorded_then_accepted_and_ended_after_three_timeouts() {
    let mut call = own_telephone_line();
    let max = Duration::from_secs(60);
    assert_eq!(call.finished(), vec![Output::StartRecording { max }]);
    let out = call.key('#');
    assert_eq!(out, vec![Output::StopRecording, play(&["contact-number"])]);
    let want = submit(SubmitKind::Fault, own_line_fault(), "3-1-1-1-1");
    assert_eq!(call.answer('#'), vec![want]);

    assert_eq!(call.reply(created("1122")), vec![play(&["31"])]);
    assert_eq!(call.finished(), vec![say("1122")]);
    assert_eq!(call.finished(), vec![play(&["fault-accepted"])]);
    assert_eq!(call.finished(), vec![play(&["report-done"])]);
    assert_eq!(call.answer('1'), vec![play(&["31"])]);
    assert_eq!(call.finished(), vec![say("1122")]);
    assert_eq!(call.finished(), vec![play(&["report-done"])]);
    for _ in 0..2 {
        call.finished();
        assert_eq!(call.expire(), vec![play(&["10", "report-done"])]);
    }
    call.finished();
    assert_eq!(call.expire(), vec![play_fixed(&["09"])]);
    assert_eq!(call.finished(), vec![Output::Hangup]);
}

#[test]
fn fault_on_another_broadband_number_with_a_keyed_contact() {
    let (mut call, _) = Call::new(bundled());
    assert_eq!(call.walk("3122"), vec![play(&["21"])]);
    call.finished();
    let ask = Request::LookupLine {
        number: "0571888888".into(),
        product: Some(Product::Broadband),
    };
    assert_eq!(call.keys("0571888888#"), vec![Output::Request(ask)]);
    let out = call.reply(Reply::Line(LineFound::Broadband));
    assert_eq!(out, vec![play(&["phenomenon-broadband"])]);
    call.walk("3");
    call.key('#');
    call.finished();
    let form = Form {
        product: Some(Product::Broadband),
        number: Some("0571888888".into()),
        phenomenon: Some("drops".into()),
        contact: Some("13800000000".into()),
        ..Form::default()
    };
    let want = submit(SubmitKind::Fault, form, "3-1-2-2-3");
    assert_eq!(call.keys("13800000000#"), vec![want]);
}

#[test]
fn fault_lookup_and_submit_answers_other_than_success() {
    let mut call = own_telephone_line();
    call.key('*');
    call.key('*');
    call.finished();
    call.key('1');
    let out = call.reply(Reply::Line(LineFound::Unknown));
    assert_eq!(out, vec![play(&["number-unknown"])]);
    assert_eq!(call.finished(), vec![play(&["whose-number"])]);
    call.key('1');
    call.reply(Reply::Line(LineFound::NotOn112));
    assert_eq!(call.finished(), vec![play_fixed(&["05"])]);
    assert_eq!(call.finished(), vec![queue("general")]);

    let mut call = own_telephone_line();
    call.key('#');
    call.answer('#');
    let out = call.reply(Reply::Submitted(Submitted::Urged { serial: None }));
    assert_eq!(out, vec![play(&["urged"])]);
    assert_eq!(call.finished(), vec![play(&["02"])]);
}

#[test]
fn complaint_about_an_installation_order_on_another_number() {
    let (mut call, _) = Call::new(bundled());
    assert_eq!(call.walk("3221"), vec![play(&["order-number"])]);
    call.finished();
    assert_eq!(call.keys("123456#"), vec![play(&["whose-number"])]);
    assert_eq!(call.answer('2'), vec![play(&["21"])]);
    call.finished();
    let ask = Request::LookupLine {
        number: "0571888888".into(),
        product: None,
    };
    assert_eq!(call.keys("0571888888#"), vec![Output::Request(ask)]);
    let out = call.reply(Reply::Line(LineFound::Broadband));
    assert_eq!(out, vec![play(&["describe", "beep"])]);
    call.finished();
    call.key('#');
    call.finished();
    let form = Form {
        number: Some("0571888888".into()),
        contact: Some("13800000000".into()),
        complaint_type: Some("install-move-time-limit".into()),
        order: Some("123456".into()),
        ..Form::default()
    };
    let want = submit(SubmitKind::Complaint, form, "3-2-2-1-2");
    assert_eq!(call.keys("13800000000#"), vec![want]);
    call.reply(created("88"));
    call.finished();
    assert_eq!(call.finished(), vec![play(&["complaint-accepted"])]);
}

#[test]
fn complaint_types_follow_the_catalogue_in_file_order() {
    let cases = [
        ("3211", "repair-time-limit"),
        ("3213", "repair-attitude"),
        ("3232", "payment-not-credited"),
        ("3242", "broadband-speed"),
        ("3253", "value-added-service"),
    ];
    for (keys, code) in cases {
        let (mut call, _) = Call::new(bundled());
        call.walk(keys);
        call.walk("1");
        call.reply(Reply::Line(LineFound::Telephone));
        call.key('#');
        let Some(Output::Request(Request::Submit { form, .. })) = call.answer('#').pop() else {
            panic!("keys {keys}: no submit");
        };
        assert_eq!(form.complaint_type.as_deref(), Some(code), "keys {keys}");
    }
}

#[test]
fn suggestion_recorded_from_the_callers_line() {
    let (mut call, _) = Call::new(bundled());
    assert_eq!(
        call.walk("33"),
        vec![play(&["suggestion-describe", "beep"])]
    );
    let max = Duration::from_secs(120);
    assert_eq!(call.finished(), vec![Output::StartRecording { max }]);
    let form = Form {
        number: Some(CALLER.into()),
        contact: Some(CALLER.into()),
        ..Form::default()
    };
    let want = vec![
        Output::StopRecording,
        submit(SubmitKind::Suggestion, form, "3-3"),
    ];
    assert_eq!(call.key('#'), want);
    call.reply(created("5"));
    call.finished();
    assert_eq!(call.finished(), vec![play(&["suggestion-accepted"])]);
    assert_eq!(call.finished(), vec![play(&["report-done"])]);
}
