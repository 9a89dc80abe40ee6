//! Endpoint tests, part 4: REGISTER handed to the registrar and its answer sent back
//! (contacts read, retransmissions absorbed, bad forms refused, floods bounded).

use std::time::Instant;

use super::endpoint_tests::{caller, drain, endpoint, exchange, sent, status, statuses};
use super::*;

/// A REGISTER for agent 1001 with `headers` after the basics.
fn register(branch: &str, headers: &str) -> String {
    format!(
        "REGISTER sip:192.0.2.1:5060 SIP/2.0\r\n\
         Via: SIP/2.0/UDP 198.51.100.7:5062;branch={branch};rport\r\n\
         Max-Forwards: 70\r\nFrom: <sip:1001@192.0.2.1>;tag=phone1\r\n\
         To: <sip:1001@192.0.2.1>\r\nCall-ID: reg-1@198.51.100.7\r\nCSeq: 7 REGISTER\r\n\
         User-Agent: deskphone/1.0\r\n{headers}Content-Length: 0\r\n\r\n"
    )
}

fn registrations(outputs: &[Output]) -> Vec<Registration> {
    (outputs.iter())
        .filter_map(|o| match o {
            Output::Registration(r) => Some(r.clone()),
            _ => None,
        })
        .collect()
}

fn binding(uri: &str, expires: Option<u32>) -> ContactBinding {
    ContactBinding {
        uri: uri.into(),
        expires,
    }
}

#[test]
fn a_register_goes_to_the_registrar_with_its_contacts_and_credentials() {
    let mut ep = endpoint();
    let headers = "Contact: <sip:1001@198.51.100.7:5062>;expires=600, <sip:1001@10.0.0.9>\r\n\
                   Expires: 1800\r\nAuthorization: Digest username=\"1001\", nc=00000001\r\n";
    let out = exchange(&mut ep, &register("z9hG4bKr1", headers), Instant::now());
    assert_eq!(statuses(&out), Vec::<u16>::new(), "nothing answered yet");
    let [registration] = &registrations(&out)[..] else {
        panic!("{out:?}")
    };
    assert_eq!(registration.user, "1001");
    assert_eq!(registration.request_uri, "sip:192.0.2.1:5060");
    let authorization = registration.authorization.as_deref();
    assert_eq!(authorization, Some("Digest username=\"1001\", nc=00000001"));
    let contacts = Contacts::List(vec![
        binding("sip:1001@198.51.100.7:5062", Some(600)),
        binding("sip:1001@10.0.0.9", None),
    ]);
    assert_eq!(registration.contacts, contacts);
    assert_eq!(registration.expires, Some(1800));
    assert_eq!(
        (registration.call_id.as_str(), registration.cseq),
        ("reg-1@198.51.100.7", 7)
    );
    assert_eq!(registration.source, caller());
    assert_eq!(registration.user_agent.as_deref(), Some("deskphone/1.0"));
}

#[test]
fn the_answer_is_sent_with_a_to_tag_and_repeated_to_retransmissions() {
    let mut ep = endpoint();
    let now = Instant::now();
    let text = register("z9hG4bKr2", "Contact: <sip:1001@198.51.100.7:5062>\r\n");
    let out = exchange(&mut ep, &text, now);
    let handle = registrations(&out)[0].handle;
    // A copy while the registrar thinks: dropped, not judged twice.
    assert_eq!(exchange(&mut ep, &text, now), vec![]);
    let headers = [(
        "Contact".to_string(),
        "<sip:1001@198.51.100.7:5062>;expires=3600".to_string(),
    )];
    ep.answer_registration(handle, 200, &headers, now);
    let answered = sent(&drain(&mut ep));
    let [(to, response)] = &answered[..] else {
        panic!("{answered:?}")
    };
    assert_eq!((*to, status(response)), (caller(), 200));
    assert!(response
        .to()
        .and_then(|t| t.tag().map(str::to_string))
        .is_some());
    assert_eq!(response.header("Contact"), Some(headers[0].1.as_str()));
    // A late copy gets the same answer from the transaction; a second answer is ignored.
    assert_eq!(statuses(&exchange(&mut ep, &text, now)), [200]);
    ep.answer_registration(handle, 500, &[], now);
    assert_eq!(drain(&mut ep), vec![]);
}

#[test]
fn no_contact_is_a_query_and_a_star_removes_all_only_with_expires_zero() {
    let mut ep = endpoint();
    let now = Instant::now();
    let out = exchange(&mut ep, &register("z9hG4bKq", ""), now);
    assert_eq!(registrations(&out)[0].contacts, Contacts::Query);
    let out = exchange(
        &mut ep,
        &register("z9hG4bKs", "Contact: *\r\nExpires: 0\r\n"),
        now,
    );
    assert_eq!(registrations(&out)[0].contacts, Contacts::RemoveAll);
    let bad = [
        "Contact: *\r\n",
        "Contact: *\r\nExpires: 60\r\n",
        "Contact: *, <sip:a@b>\r\nExpires: 0\r\n",
    ];
    for (i, headers) in bad.iter().enumerate() {
        let out = exchange(&mut ep, &register(&format!("z9hG4bKbad{i}"), headers), now);
        assert_eq!(statuses(&out), [400], "{headers}");
        assert!(registrations(&out).is_empty());
    }
}

#[test]
fn a_contact_or_expires_that_does_not_read_is_refused_with_400() {
    let mut ep = endpoint();
    let now = Instant::now();
    let bad = [
        "Contact: <sip:1001@198.51.100.7>\r\nExpires: soon\r\n",
        "Contact: <sip:1001@198.51.100.7>;expires=-5\r\n",
        "Contact: <not a uri\r\n",
    ];
    for (i, headers) in bad.iter().enumerate() {
        let out = exchange(&mut ep, &register(&format!("z9hG4bKe{i}"), headers), now);
        assert_eq!(statuses(&out), [400], "{headers}");
    }
}

#[test]
fn a_register_flood_waits_at_most_max_pending_and_the_rest_get_503() {
    let mut ep = endpoint();
    let now = Instant::now();
    for i in 0..MAX_PENDING {
        let out = exchange(&mut ep, &register(&format!("z9hG4bKf{i}"), ""), now);
        assert_eq!(registrations(&out).len(), 1);
    }
    let out = exchange(&mut ep, &register("z9hG4bKover", ""), now);
    assert_eq!(statuses(&out), [503]);
    let (_, response) = &sent(&out)[0];
    assert_eq!(response.header("Retry-After"), Some("5"));
}

#[test]
fn options_says_register_is_allowed() {
    let mut ep = endpoint();
    let options = super::endpoint_tests::request("OPTIONS", "z9hG4bKo", None, 1, "", "");
    let out = exchange(&mut ep, &options, Instant::now());
    let (_, response) = &sent(&out)[0];
    assert!(response
        .header("Allow")
        .is_some_and(|a| a.contains("REGISTER")));
}
