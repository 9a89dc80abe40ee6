//! Digest authentication with a fake clock (plain unix seconds): RFC 7616's vectors, the
//! header grammar, the nonces, and each verdict.

use super::*;

const KEY: [u8; 32] = [7; 32];
const REALM: &str = "hotline";
const LIFETIME: u64 = 300;
const T0: u64 = 1_780_000_000;
const AGENT: &str = "1001";
const PASSWORD: &str = "s3cret pass";

fn issuer() -> NonceIssuer {
    NonceIssuer::new(KEY, REALM, Duration::from_secs(LIFETIME))
}

fn verifier() -> Verifier {
    Verifier::new(issuer())
}

/// What the store holds for the agent.
fn stored(algorithm: Algorithm) -> Option<String> {
    Some(ha1(algorithm, AGENT, REALM, PASSWORD))
}

/// The nonce of the challenges sent at `now`.
fn nonce_at(now: u64) -> String {
    let challenge = &issuer().challenges(now, false)[0];
    let mut params = Params::parse(challenge).expect("challenge parses");
    params.required("nonce").expect("challenge has a nonce")
}

/// A phone's REGISTER credentials for `username` with `password`.
fn signed_by(
    username: &str,
    password: &str,
    algorithm: Algorithm,
    nonce: &str,
    nc: u32,
    cnonce: &str,
) -> Credentials {
    let mut creds = Credentials {
        username: username.to_owned(),
        realm: REALM.to_owned(),
        nonce: nonce.to_owned(),
        uri: "sip:hotline.invalid".to_owned(),
        response: String::new(),
        algorithm,
        nc,
        cnonce: cnonce.to_owned(),
    };
    creds.response =
        creds.expected_response(&ha1(algorithm, username, REALM, password), "REGISTER");
    creds
}

fn signed(algorithm: Algorithm, nonce: &str, nc: u32) -> Credentials {
    signed_by(AGENT, PASSWORD, algorithm, nonce, nc, "c0ffee")
}

// RFC 7616 §3.9.1: user Mufasa, password "Circle of Life", GET /dir/index.html.
const RFC_NONCE: &str = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
const RFC_CNONCE: &str = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
const RFC_OPAQUE: &str = "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS";
const RFC_REALM: &str = "http-auth@example.org";

fn rfc_header(algorithm: &str, response: &str) -> String {
    format!(
        "Digest username=\"Mufasa\", realm=\"{RFC_REALM}\", uri=\"/dir/index.html\", \
         algorithm={algorithm}, nonce=\"{RFC_NONCE}\", nc=00000001, cnonce=\"{RFC_CNONCE}\", \
         qop=auth, response=\"{response}\", opaque=\"{RFC_OPAQUE}\""
    )
}

#[test]
fn rfc7616_example_ha1_and_responses() {
    let cases = [
        (
            Algorithm::Sha256,
            "SHA-256",
            "7987c64c30e25f1b74be53f966b49b90f2808aa92faf9a00262392d7b4794232",
            "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
        ),
        (
            Algorithm::Md5,
            "MD5",
            "3d78807defe7de2157e2b0b6573a855f",
            "8ca523f5e9506fed4657c9700eebdbec",
        ),
    ];
    for (algorithm, name, expected_ha1, response) in cases {
        let secret = ha1(algorithm, "Mufasa", RFC_REALM, "Circle of Life");
        assert_eq!(secret, expected_ha1);
        let creds = Credentials::parse(&rfc_header(name, response)).expect("RFC example parses");
        assert_eq!(creds.algorithm, algorithm);
        assert_eq!(creds.username, "Mufasa");
        assert_eq!(creds.uri, "/dir/index.html");
        assert_eq!(creds.nc, 1);
        assert_eq!(creds.cnonce, RFC_CNONCE);
        assert_eq!(creds.expected_response(&secret, "GET"), response);
    }
}

#[test]
fn algorithm_names_parse_case_insensitively() {
    for (text, algorithm) in [
        ("SHA-256", Algorithm::Sha256),
        ("sha-256", Algorithm::Sha256),
        ("MD5", Algorithm::Md5),
        ("md5", Algorithm::Md5),
    ] {
        assert_eq!(text.parse(), Ok(algorithm));
        assert_eq!(algorithm.to_string(), algorithm.name());
    }
    for unsupported in ["SHA-256-sess", "MD5-sess", "SHA-512-256", "SHA256", ""] {
        assert_eq!(
            unsupported.parse::<Algorithm>(),
            Err(DigestError::UnsupportedAlgorithm(unsupported.to_owned()))
        );
    }
}

#[test]
fn absent_algorithm_means_md5() {
    let header = "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"x\", \
                  qop=auth, nc=00000001, cnonce=\"c\"";
    assert_eq!(
        Credentials::parse(header).map(|c| c.algorithm),
        Ok(Algorithm::Md5)
    );
}

#[test]
fn quoted_values_keep_escaped_quotes_and_commas() {
    let header = r#"Digest username="a \"quoted\" name, with comma", realm="hot\\line",
        nonce="n,=n", uri="sip:x@y;transport=udp", response="r", qop=auth, nc=00000002,
        cnonce="c\d""#;
    let creds = Credentials::parse(header).expect("parses");
    assert_eq!(creds.username, "a \"quoted\" name, with comma");
    assert_eq!(creds.realm, "hot\\line");
    assert_eq!(creds.nonce, "n,=n");
    assert_eq!(creds.uri, "sip:x@y;transport=udp");
    assert_eq!(creds.cnonce, "cd");
    assert_eq!(creds.nc, 2);
}

#[test]
fn scheme_and_names_are_case_insensitive_and_unknown_parameters_ignored() {
    let header = "dIGEST USERNAME=\"工号1001\",Realm=\"r\" , NONCE=\"n\",uri=\"u\",Response=\"x\",\
                  ALGORITHM=sha-256, QOP=\"auth\", NC=000000ff, CNonce=\"c\", opaque=\"o\", \
                  userhash=false, future-param=token";
    let creds = Credentials::parse(header).expect("parses");
    assert_eq!(creds.username, "工号1001");
    assert_eq!(creds.algorithm, Algorithm::Sha256);
    assert_eq!(creds.nc, 255);
}

#[test]
fn loose_whitespace_and_empty_list_elements_are_tolerated() {
    let header = "  Digest\tusername = \"a\" ,, realm=\"r\",\r\n nonce=\"n\", uri=\"u\", \
                  response=\"x\", qop=auth, nc=00000001, cnonce=\"c\" , ";
    assert!(Credentials::parse(header).is_ok());
}

#[test]
fn display_round_trips_through_parse() {
    let mut creds = signed(Algorithm::Sha256, &nonce_at(T0), 0x1a);
    creds.username = "odd \"name\" with \\ and, comma".to_owned();
    assert_eq!(Credentials::parse(&creds.to_string()), Ok(creds));
}

const FULL: [(&str, &str); 8] = [
    ("username", "\"a\""),
    ("realm", "\"r\""),
    ("nonce", "\"n\""),
    ("uri", "\"u\""),
    ("response", "\"x\""),
    ("qop", "auth"),
    ("nc", "00000001"),
    ("cnonce", "\"c\""),
];

fn header_with(params: &[(&str, &str)]) -> String {
    let list: Vec<String> = params
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect();
    format!("Digest {}", list.join(", "))
}

#[test]
fn each_missing_required_parameter_is_named() {
    for (missing, _) in FULL {
        let rest: Vec<_> = FULL
            .into_iter()
            .filter(|(name, _)| *name != missing)
            .collect();
        assert_eq!(
            Credentials::parse(&header_with(&rest)),
            Err(DigestError::Missing(missing))
        );
    }
}

#[test]
fn a_parameter_given_twice_is_an_error_whatever_its_case() {
    let mut params = FULL.to_vec();
    params.push(("Nonce", "\"other\""));
    assert_eq!(
        Credentials::parse(&header_with(&params)),
        Err(DigestError::Duplicate("nonce".to_owned()))
    );
}

#[test]
fn rfc2069_mode_and_auth_int_are_refused() {
    let without_qop: Vec<_> = FULL
        .into_iter()
        .filter(|(name, _)| !["qop", "nc", "cnonce"].contains(name))
        .collect();
    assert_eq!(
        Credentials::parse(&header_with(&without_qop)),
        Err(DigestError::Missing("qop"))
    );
    let mut auth_int = FULL.to_vec();
    auth_int[5].1 = "auth-int";
    assert_eq!(
        Credentials::parse(&header_with(&auth_int)),
        Err(DigestError::UnsupportedQop("auth-int".to_owned()))
    );
}

#[test]
fn nonce_count_must_be_eight_lower_case_hex_digits() {
    for bad in ["1", "0000000A", "000000001", "0000000g", "\"\"", "+0000001"] {
        let mut params = FULL.to_vec();
        params[6].1 = bad;
        assert!(
            matches!(
                Credentials::parse(&header_with(&params)),
                Err(DigestError::BadNonceCount(_))
            ),
            "nc={bad}"
        );
    }
}

#[test]
fn garbage_headers_are_errors() {
    let cases: [(&str, DigestError); 9] = [
        ("", DigestError::NotDigest(String::new())),
        (
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==",
            DigestError::NotDigest("Basic".to_owned()),
        ),
        (
            "Digestusername=\"a\"",
            DigestError::NotDigest("Digestusername".to_owned()),
        ),
        (
            "Digest username",
            malformed(15, "`=` after a parameter name"),
        ),
        (
            "Digest username=",
            malformed(16, "a token or a quoted string"),
        ),
        ("Digest username=\"abc", malformed(16, "a closing quote")),
        ("Digest username=\"abc\\", malformed(16, "a closing quote")),
        ("Digest =x", malformed(7, "a parameter name")),
        ("Digest a=b c=d", malformed(11, "`,` between parameters")),
    ];
    for (header, error) in cases {
        assert_eq!(Credentials::parse(header), Err(error), "{header:?}");
    }
    assert!(matches!(
        Credentials::parse("Digest ,,,"),
        Err(DigestError::Missing(_))
    ));
    assert!(Credentials::parse("Digest \"x\"=y").is_err());
}

fn malformed(at: usize, expected: &'static str) -> DigestError {
    DigestError::Malformed { at, expected }
}

#[test]
fn no_cut_or_deletion_of_a_header_panics() {
    let header = r#"Digest username="工 \"x\", y", realm="r", nonce="n", uri="u", response="x", qop=auth, nc=00000001, cnonce="c""#;
    for (i, _) in header.char_indices() {
        let _ = Credentials::parse(&header[..i]);
        let _ = Credentials::parse(&header[i..]);
        let mut deleted = header.to_owned();
        deleted.remove(i);
        let _ = Credentials::parse(&deleted);
    }
}

#[test]
fn challenges_offer_sha256_then_md5_with_realm_nonce_and_qop() {
    let challenges = issuer().challenges(T0, false);
    let nonce = nonce_at(T0);
    assert_eq!(
        challenges,
        [
            format!("Digest realm=\"hotline\", nonce=\"{nonce}\", qop=\"auth\", algorithm=SHA-256"),
            format!("Digest realm=\"hotline\", nonce=\"{nonce}\", qop=\"auth\", algorithm=MD5"),
        ]
    );
    let (issued, mac) = nonce.split_once('.').expect("issued.mac");
    assert_eq!(issued, format!("{T0:x}"));
    assert_eq!(mac.len(), 2 * NONCE_MAC_LEN);
    for challenge in issuer().challenges(T0, true) {
        assert!(challenge.ends_with(", stale=true"), "{challenge}");
    }
}

#[test]
fn challenge_quotes_an_odd_realm() {
    let odd = NonceIssuer::new(KEY, "a \"b\" \\ c", Duration::from_secs(LIFETIME));
    let challenge = &odd.challenges(T0, false)[0];
    let mut params = Params::parse(challenge).expect("parses");
    assert_eq!(params.required("realm"), Ok("a \"b\" \\ c".to_owned()));
}

#[test]
fn good_credentials_are_accepted_with_both_algorithms() {
    for algorithm in Algorithm::PREFERRED {
        let creds = signed(algorithm, &nonce_at(T0), 1);
        assert_eq!(
            verifier().verify(&creds, "REGISTER", stored, T0 + 1),
            Verdict::Accepted
        );
    }
}

#[test]
fn upper_case_response_hex_is_accepted() {
    let mut creds = signed(Algorithm::Md5, &nonce_at(T0), 1);
    creds.response = creds.response.to_ascii_uppercase();
    assert_eq!(
        verifier().verify(&creds, "REGISTER", stored, T0),
        Verdict::Accepted
    );
}

#[test]
fn wrong_password_is_rejected() {
    for algorithm in Algorithm::PREFERRED {
        let creds = signed_by(AGENT, "guess", algorithm, &nonce_at(T0), 1, "c");
        assert_eq!(
            verifier().verify(&creds, "REGISTER", stored, T0),
            Verdict::Rejected(Rejection::WrongResponse)
        );
    }
}

#[test]
fn the_response_is_bound_to_the_method() {
    let creds = signed(Algorithm::Sha256, &nonce_at(T0), 1);
    assert_eq!(
        verifier().verify(&creds, "INVITE", stored, T0),
        Verdict::Rejected(Rejection::WrongResponse)
    );
}

#[test]
fn right_password_on_an_expired_nonce_is_stale_and_the_rechallenge_says_so() {
    let mut verifier = verifier();
    let creds = signed(Algorithm::Sha256, &nonce_at(T0), 1);
    let now = T0 + LIFETIME;
    assert_eq!(
        verifier.verify(&creds, "REGISTER", stored, now),
        Verdict::Stale
    );
    let challenges = verifier.issuer().challenges(now, true);
    assert!(challenges.iter().all(|c| c.contains("stale=true")));

    let retry = signed(Algorithm::Sha256, &nonce_at(now), 2);
    assert_eq!(
        verifier.verify(&retry, "REGISTER", stored, now),
        Verdict::Accepted
    );
}

#[test]
fn a_nonce_is_fresh_for_its_lifetime_and_when_from_the_future() {
    let creds = signed(Algorithm::Md5, &nonce_at(T0), 1);
    for now in [T0 - 60, T0, T0 + LIFETIME - 1] {
        assert_eq!(
            verifier().verify(&creds, "REGISTER", stored, now),
            Verdict::Accepted
        );
    }
    assert_eq!(
        verifier().verify(&creds, "REGISTER", stored, T0 + LIFETIME),
        Verdict::Stale
    );
}

#[test]
fn wrong_password_on_an_expired_nonce_is_rejected_not_stale() {
    let creds = signed_by(AGENT, "guess", Algorithm::Sha256, &nonce_at(T0), 1, "c");
    assert_eq!(
        verifier().verify(&creds, "REGISTER", stored, T0 + 10 * LIFETIME),
        Verdict::Rejected(Rejection::WrongResponse)
    );
}

#[test]
fn a_repeated_nonce_count_is_replayed_and_a_higher_one_accepted() {
    let mut verifier = verifier();
    let nonce = nonce_at(T0);
    let first = signed(Algorithm::Sha256, &nonce, 1);
    assert_eq!(
        verifier.verify(&first, "REGISTER", stored, T0),
        Verdict::Accepted
    );
    assert_eq!(
        verifier.verify(&first, "REGISTER", stored, T0 + 1),
        Verdict::Replayed
    );
    let third = signed(Algorithm::Sha256, &nonce, 3);
    assert_eq!(
        verifier.verify(&third, "REGISTER", stored, T0 + 2),
        Verdict::Accepted
    );
    let second = signed(Algorithm::Sha256, &nonce, 2);
    assert_eq!(
        verifier.verify(&second, "REGISTER", stored, T0 + 3),
        Verdict::Replayed
    );
}

#[test]
fn phones_challenged_in_the_same_second_count_separately() {
    let mut verifier = verifier();
    let nonce = nonce_at(T0);
    let phones = [
        (AGENT, PASSWORD, "desk"),
        (AGENT, PASSWORD, "soft"),
        ("1002", "other", "desk"),
    ];
    for (username, password, cnonce) in phones {
        let creds = signed_by(username, password, Algorithm::Sha256, &nonce, 1, cnonce);
        let lookup = |algorithm| Some(ha1(algorithm, username, REALM, password));
        assert_eq!(
            verifier.verify(&creds, "REGISTER", lookup, T0),
            Verdict::Accepted,
            "{username} {cnonce}"
        );
    }
    assert_eq!(verifier.accepted.len(), 3);
}

#[test]
fn the_replay_memory_forgets_expired_nonces() {
    let mut verifier = verifier();
    let old = signed(Algorithm::Sha256, &nonce_at(T0), 1);
    assert_eq!(
        verifier.verify(&old, "REGISTER", stored, T0),
        Verdict::Accepted
    );
    let newer = signed(Algorithm::Sha256, &nonce_at(T0 + 100), 1);
    assert_eq!(
        verifier.verify(&newer, "REGISTER", stored, T0 + 100),
        Verdict::Accepted
    );
    assert_eq!(verifier.accepted.len(), 2);

    assert_eq!(
        verifier.verify(&old, "REGISTER", stored, T0 + LIFETIME),
        Verdict::Stale
    );
    assert_eq!(
        verifier.accepted.len(),
        1,
        "the expired nonce's entry is gone"
    );
    assert_eq!(
        verifier.verify(&newer, "REGISTER", stored, T0 + 100 + LIFETIME),
        Verdict::Stale
    );
    assert!(verifier.accepted.is_empty());
}

#[test]
fn a_nonce_not_ours_is_rejected() {
    let ours = nonce_at(T0);
    let (issued, mac) = ours.split_once('.').expect("issued.mac");
    let other_key = NonceIssuer::new([8; 32], REALM, Duration::from_secs(LIFETIME)).nonce(T0);
    let other_realm = NonceIssuer::new(KEY, "elsewhere", Duration::from_secs(LIFETIME)).nonce(T0);
    let forged = [
        format!("{:x}.{mac}", T0 + 1000),
        format!("0{issued}.{mac}"),
        format!("+{issued}.{mac}"),
        format!("{}.{mac}", issued.to_ascii_uppercase()),
        format!("{issued}.{}", &mac[..mac.len() - 2]),
        format!("{issued}.{}", mac.to_ascii_uppercase()),
        format!("{issued}{mac}"),
        other_key,
        other_realm,
        String::new(),
        ".".to_owned(),
        "garbage".to_owned(),
    ];
    for nonce in forged {
        let creds = signed(Algorithm::Sha256, &nonce, 1);
        assert_eq!(
            verifier().verify(&creds, "REGISTER", stored, T0),
            Verdict::Rejected(Rejection::ForeignNonce),
            "{nonce:?}"
        );
    }
}

#[test]
fn another_realm_is_rejected() {
    let mut creds = signed(Algorithm::Sha256, &nonce_at(T0), 1);
    creds.realm = "elsewhere".to_owned();
    creds.response = creds.expected_response(
        &ha1(Algorithm::Sha256, AGENT, "elsewhere", PASSWORD),
        "REGISTER",
    );
    assert_eq!(
        verifier().verify(&creds, "REGISTER", stored, T0),
        Verdict::Rejected(Rejection::OtherRealm)
    );
}

#[test]
fn an_unknown_user_is_rejected() {
    let creds = signed_by("9999", "anything", Algorithm::Md5, &nonce_at(T0), 1, "c");
    assert_eq!(
        verifier().verify(&creds, "REGISTER", |_| None, T0),
        Verdict::Rejected(Rejection::UnknownUser)
    );
    let sha256_only = |algorithm| {
        (algorithm == Algorithm::Sha256)
            .then(|| stored(algorithm))
            .flatten()
    };
    let md5 = signed(Algorithm::Md5, &nonce_at(T0), 1);
    assert_eq!(
        verifier().verify(&md5, "REGISTER", sha256_only, T0),
        Verdict::Rejected(Rejection::UnknownUser)
    );
}
