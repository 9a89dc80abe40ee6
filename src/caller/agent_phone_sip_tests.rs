use super::*;
use crate::agents::digest::{NonceIssuer, Verdict, Verifier};

const INVITE: &str = "INVITE sip:1001@127.0.0.1:40000 SIP/2.0\r\n\
    Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKs1;rport\r\n\
    v: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKs0\r\n\
    f: <sip:hotline@127.0.0.1>;tag=srv\r\n\
    To: <sip:1001@127.0.0.1>\r\n\
    Call-ID: cid1\r\nCSeq: 7 INVITE\r\n\
    Contact: <sip:hotline@127.0.0.1:5060>\r\n\
    X-Hotline-Queue: ordinary\r\n\
    Content-Type: application/sdp\r\nContent-Length: 4\r\n\r\nv=0\n";

fn invite() -> Message {
    Message::parse(INVITE.as_bytes()).expect("parses")
}

#[test]
fn a_request_is_read_with_compact_names_and_repeated_headers() {
    let invite = invite();
    assert_eq!(invite.method(), Some("INVITE"));
    assert_eq!(invite.status(), None);
    assert_eq!(invite.request_uri(), "sip:1001@127.0.0.1:40000");
    assert_eq!(invite.headers("via").len(), 2);
    assert_eq!(
        invite.header("From"),
        Some("<sip:hotline@127.0.0.1>;tag=srv")
    );
    assert_eq!(invite.header("x-hotline-queue"), Some("ordinary"));
    assert_eq!(invite.cseq(), Some((7, "INVITE")));
    assert_eq!(invite.branch(), Some("z9hG4bKs1"));
    assert_eq!(invite.body(), b"v=0\n");
    assert_eq!(Message::parse(b"INVITE sip:x SIP/2.0\r\nVia"), None);
}

#[test]
fn a_response_keeps_the_transaction_headers_and_adds_our_tag() {
    let text = response(&invite(), 180, Some("ours"), "", None);
    let ringing = Message::parse(text.as_bytes()).unwrap();
    assert_eq!(ringing.status(), Some(180));
    assert_eq!(ringing.method(), None);
    assert_eq!(ringing.headers("Via").len(), 2);
    assert_eq!(ringing.header("To"), Some("<sip:1001@127.0.0.1>;tag=ours"));
    assert_eq!(ringing.cseq(), Some((7, "INVITE")));
    assert!(text.starts_with("SIP/2.0 180 Ringing\r\n"));

    let sdp = "v=0\r\n";
    let extra = "Contact: <sip:1001@127.0.0.1:40000>\r\n";
    let text = response(
        &invite(),
        200,
        Some("ours"),
        extra,
        Some(("application/sdp", sdp)),
    );
    let ok = Message::parse(text.as_bytes()).unwrap();
    assert_eq!(ok.header("Content-Length"), Some("5"));
    assert_eq!(ok.header("Contact"), Some("<sip:1001@127.0.0.1:40000>"));
    assert_eq!(ok.body(), sdp.as_bytes());
}

#[test]
fn the_bye_goes_to_the_servers_contact_with_the_tags_swapped() {
    let mut dialog = CalleeDialog::new(&invite(), "ours");
    let (bye, cseq) = dialog.bye("z9hG4bKb", "127.0.0.1:40000".parse().unwrap());
    let bye = Message::parse(bye.as_bytes()).unwrap();
    assert_eq!(cseq, 1);
    assert_eq!(bye.request_uri(), "sip:hotline@127.0.0.1:5060");
    assert_eq!(bye.header("From"), Some("<sip:1001@127.0.0.1>;tag=ours"));
    assert_eq!(bye.header("To"), Some("<sip:hotline@127.0.0.1>;tag=srv"));
    assert_eq!(bye.cseq(), Some((1, "BYE")));
    assert_eq!(dialog.call_id(), "cid1");
}

#[test]
fn register_credentials_answer_the_challenge_of_the_chosen_algorithm() {
    let issuer = || NonceIssuer::new([7; 32], "hotline", std::time::Duration::from_secs(60));
    let challenges = issuer().challenges(1_000, false);
    let challenges: Vec<&str> = challenges.iter().map(String::as_str).collect();
    let mut registration = Registration {
        user: "1001".into(),
        server: "127.0.0.1:5060".parse().unwrap(),
        local: "127.0.0.1:40000".parse().unwrap(),
        call_id: "reg1".into(),
        from_tag: "ft".into(),
        cseq: 0,
    };
    let uri = registration.uri();
    for algorithm in [Algorithm::Sha256, Algorithm::Md5] {
        let value =
            authorization(&challenges, algorithm, "1001", "pw", &uri, "c0ffee").expect("answered");
        let credentials = Credentials::parse(&value).unwrap();
        assert_eq!(credentials.algorithm, algorithm);
        let stored = |a: Algorithm| Some(ha1(a, "1001", "hotline", "pw"));
        assert_eq!(
            Verifier::new(issuer()).verify(&credentials, "REGISTER", stored, 1_001),
            Verdict::Accepted
        );
    }
    let (text, cseq) = registration.register("z9hG4bKr", 3600, Some("Digest x"));
    let register = Message::parse(text.as_bytes()).unwrap();
    assert_eq!((cseq, register.cseq()), (1, Some((1, "REGISTER"))));
    assert_eq!(
        register.header("Contact"),
        Some("<sip:1001@127.0.0.1:40000>")
    );
    assert_eq!(register.header("Expires"), Some("3600"));
    assert_eq!(register.header("Authorization"), Some("Digest x"));
    assert!(authorization(&["Digest realm=\"r\""], Algorithm::Md5, "u", "p", &uri, "c").is_err());
}
