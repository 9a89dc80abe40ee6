//! The engine's ticket flows on `flows.yaml`: the form filled by `set`, requests and
//! their replies, `menu_path`, and record nodes, with a fake clock.

use std::sync::Arc;
use std::time::Duration;

use super::call::{play, play_fixed, say, transfer, Call, CALLER};
use super::load;
use crate::menu::{
    Form, Input, LineFound, Menu, Output, Product, Reply, Request, SubmitKind, Submitted,
};

const FLOWS: &str = include_str!("flows.yaml");

fn flows() -> Arc<Menu> {
    Arc::new(load(FLOWS).expect("flows.yaml loads"))
}

fn submit(kind: SubmitKind, form: Form, menu_path: &str) -> Output {
    Output::Request(Request::Submit {
        kind,
        form: Box::new(form),
        menu_path: menu_path.to_string(),
    })
}

fn lookup(number: &str, product: Option<Product>) -> Output {
    Output::Request(Request::LookupLine {
        number: number.to_string(),
        product,
    })
}

fn created(serial: &str) -> Reply {
    Reply::Submitted(Submitted::Created {
        serial: serial.to_string(),
    })
}

/// The form main's key 1 fills in, before the entry.
fn form_of_key_1() -> Form {
    Form {
        product: Some(Product::Broadband),
        number: Some(CALLER.into()),
        phenomenon: Some("slow".into()),
        contact: Some("0571".into()),
        complaint_type: Some("bill-dispute".into()),
        order: Some("42".into()),
        ..Form::default()
    }
}

/// A call that has sent the fault `Submit` of main 3, ask 2.
fn submitted_fault() -> Call {
    let (mut call, _) = Call::new(flows());
    let out = call.walk("32");
    assert_eq!(out, vec![submit(SubmitKind::Fault, Form::default(), "3-2")]);
    call
}

#[test]
fn set_fills_the_form_from_literals_the_caller_and_the_entry() {
    let (mut call, _) = Call::new(flows());
    call.walk("1");
    call.finished();
    call.keys("123#");
    let form = Form {
        complaint_type: Some("123".into()),
        order: Some("123".into()),
        ..form_of_key_1()
    };
    assert_eq!(
        call.answer('2'),
        vec![submit(SubmitKind::Fault, form, "1-2")]
    );
}

#[test]
fn an_entry_of_no_digits_leaves_the_fields_as_they_were() {
    let (mut call, _) = Call::new(flows());
    call.walk("1#");
    assert_eq!(
        call.answer('2'),
        vec![submit(SubmitKind::Fault, form_of_key_1(), "1-2")]
    );
}

#[test]
fn lookup_line_asks_for_the_forms_number_and_product() {
    let (mut call, _) = Call::new(flows());
    call.walk("1#");
    assert_eq!(
        call.answer('1'),
        vec![lookup(CALLER, Some(Product::Broadband))]
    );
    let (mut call, _) = Call::new(flows());
    assert_eq!(call.walk("31"), vec![lookup("", None)]);
}

#[test]
fn each_lookup_reply_takes_its_branch() {
    let cases = [
        (LineFound::Telephone, "l-telephone"),
        (LineFound::Broadband, "l-broadband"),
        (LineFound::Unknown, "l-unknown"),
        (LineFound::NotOn112, "l-not-112"),
        (LineFound::Unavailable, "l-unavailable"),
    ];
    for (found, prompt) in cases {
        let (mut call, _) = Call::new(flows());
        call.walk("31");
        assert_eq!(call.reply(Reply::Line(found)), vec![play(&[prompt])]);
    }
}

#[test]
fn lookup_branches_lead_on() {
    let (mut call, _) = Call::new(flows());
    call.walk("31");
    call.reply(Reply::Line(LineFound::Unknown));
    assert_eq!(call.finished(), vec![play(&["06"])], "unknown: ask again");
    call.key('1');
    call.reply(Reply::Line(LineFound::NotOn112));
    assert_eq!(call.finished(), vec![play_fixed(&["05"])]);
    assert_eq!(call.finished(), vec![transfer("sip:agents@127.0.0.1:5070")]);
}

#[test]
fn each_submit_reply_takes_its_branch() {
    let cases = [
        (Submitted::Urged { serial: None }, "s-urged", play(&["02"])),
        (Submitted::RemindToPay, "s-remind-to-pay", play(&["02"])),
        (Submitted::Supervisor, "s-supervisor", play_fixed(&["05"])),
        (Submitted::Refused, "s-refused", play_fixed(&["05"])),
        (Submitted::Unavailable, "s-unavailable", play(&["02"])),
    ];
    for (reply, prompt, next) in cases {
        let mut call = submitted_fault();
        let out = call.reply(Reply::Submitted(reply.clone()));
        assert_eq!(out, vec![play(&[prompt])], "{reply:?}");
        assert_eq!(call.finished(), vec![next], "{reply:?}");
    }
    let mut call = submitted_fault();
    call.reply(Reply::Submitted(Submitted::Supervisor));
    call.finished();
    let to_supervisor = transfer("sip:supervisor@127.0.0.1:5070");
    assert_eq!(call.finished(), vec![to_supervisor]);
}

#[test]
fn created_speaks_the_serial_and_keeps_it_for_say_digits_serial() {
    let mut call = submitted_fault();
    assert_eq!(call.reply(created("2026112201")), vec![play(&["31"])]);
    assert_eq!(call.finished(), vec![say("2026112201")]);
    assert_eq!(call.finished(), vec![play(&["report-done"])]);
    assert_eq!(call.answer('1'), vec![say("2026112201")]);
}

#[test]
fn a_submit_reply_clears_the_form() {
    let (mut call, _) = Call::new(flows());
    call.walk("1#");
    call.answer('2');
    call.reply(created("7"));
    call.finished();
    call.finished();
    let out = call.walk("22");
    assert_eq!(
        out,
        vec![submit(SubmitKind::Fault, Form::default(), "1-2-2-2")]
    );
    call.reply(Reply::Submitted(Submitted::Refused));
    call.finished();
    call.finished();
    assert!(call.session.is_ended());
}

#[test]
fn a_suggestion_answered_with_a_branch_it_lacks_takes_unavailable() {
    let (mut call, _) = Call::new(flows());
    call.walk("33");
    let out = call.reply(Reply::Submitted(Submitted::Urged { serial: None }));
    assert_eq!(out, vec![play(&["s-unavailable"])]);
}

#[test]
fn menu_path_is_the_key_chosen_in_each_menu_on_the_way() {
    let (mut call, _) = Call::new(flows());
    call.walk("31");
    call.reply(Reply::Line(LineFound::Unknown));
    call.finished();
    assert_eq!(
        call.answer('2'),
        vec![submit(SubmitKind::Fault, Form::default(), "3-2")],
        "ask's 2 replaces its earlier 1"
    );
}

#[test]
fn back_forgets_the_keys_and_fields_since_the_menu_returned_to() {
    let (mut call, _) = Call::new(flows());
    call.walk("1*");
    let out = call.walk("32");
    assert_eq!(out, vec![submit(SubmitKind::Fault, Form::default(), "3-2")]);
}

#[test]
fn top_clears_the_form_and_the_path() {
    let (mut call, _) = Call::new(flows());
    call.walk("1#");
    call.answer('1');
    call.reply(Reply::Line(LineFound::Telephone));
    call.finished();
    let out = call.walk("32");
    assert_eq!(out, vec![submit(SubmitKind::Fault, Form::default(), "3-2")]);
}

#[test]
fn keys_and_timers_wait_while_a_request_is_out() {
    let (mut call, _) = Call::new(flows());
    call.walk("31");
    assert_eq!(call.session.poll_timeout(), None);
    assert_eq!(call.key('*'), vec![]);
    assert_eq!(call.key('2'), vec![]);
    assert_eq!(call.send(Input::Timeout), vec![]);
    assert_eq!(call.send(Input::PlaybackFinished), vec![]);
    let out = call.reply(Reply::Line(LineFound::Telephone));
    assert_eq!(out, vec![play(&["l-telephone"])]);
}

#[test]
fn stale_replies_are_ignored() {
    let (mut call, _) = Call::new(flows());
    assert_eq!(call.reply(created("1")), vec![], "nothing asked yet");
    call.walk("31");
    assert_eq!(call.reply(created("1")), vec![], "a lookup is out");
    let out = call.reply(Reply::Line(LineFound::Unknown));
    assert_eq!(out, vec![play(&["l-unknown"])]);
    assert_eq!(call.reply(Reply::Line(LineFound::Telephone)), vec![]);
    assert_eq!(call.finished(), vec![play(&["06"])]);
}

#[test]
fn end_key_during_the_record_prompt_skips_the_recording() {
    let (mut call, _) = Call::new(flows());
    assert_eq!(call.answer('4'), vec![play(&["describe", "beep"])]);
    assert_eq!(
        call.key('#'),
        vec![
            Output::StopPlayback,
            Output::DiscardRecording,
            play(&["06"])
        ]
    );
}

#[test]
fn recording_starts_after_the_prompt_and_the_end_key_stops_it() {
    let (mut call, _) = Call::new(flows());
    call.answer('4');
    let max = Duration::from_secs(30);
    assert_eq!(call.finished(), vec![Output::StartRecording { max }]);
    assert_eq!(call.session.poll_timeout(), Some(call.now + max));
    assert_eq!(call.key('1'), vec![], "other keys are ignored");
    assert_eq!(call.key('*'), vec![]);
    assert_eq!(call.send(Input::Timeout), vec![], "before max");
    assert_eq!(call.key('#'), vec![Output::StopRecording, play(&["06"])]);
}

#[test]
fn recording_stops_when_max_has_elapsed() {
    let (mut call, _) = Call::new(flows());
    call.answer('4');
    call.finished();
    assert_eq!(call.expire(), vec![Output::StopRecording, play(&["06"])]);
}

#[test]
fn star_during_the_record_prompt_goes_back_and_a_wrong_key_repeats_it() {
    let (mut call, _) = Call::new(flows());
    call.answer('4');
    assert_eq!(
        call.key('7'),
        vec![Output::StopPlayback, play(&["11", "describe", "beep"])]
    );
    assert_eq!(call.key('*'), vec![Output::StopPlayback, play(&["02"])]);
}
