//! End to end with pjsua2 (PyPI `pjsua2-python`): `tests/e2e/pjsua2_call.py` places one
//! call per process with the null audio device, records what it hears at 8 kHz and
//! reports the call as JSON (pjsua offers telephone-event on PT 120);
//! `tests/e2e/pjsua2_register.py` registers an agent's phone with SHA-256 digest and
//! unregisters it.

#[path = "e2e/hearing.rs"]
mod hearing;
#[path = "e2e/support.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use hearing::Recording;
use hotline::agents::digest::Algorithm;
use hotline::store::DEFAULT_SIP_REALM;
use serde_json::Value;
use support::{calls_series, dtmf_series, Client, Hotline};

const INSTALL: &str = "pip install pjsua2-python";

fn pjsua2_available() -> bool {
    support::client_available(
        "pjsua2 (Python)",
        Command::new("python3").args(["-c", "import pjsua2"]),
        INSTALL,
    )
}

#[test]
fn pjsua2_keys_by_rfc4733_and_sip_info_go_to_the_fault_menu_and_back() {
    if !pjsua2_available() {
        return;
    }
    let _one = support::one_client_at_a_time();
    let hotline = Hotline::start();
    let dir = tempfile::tempdir().expect("temp dir");
    let in_main_menu = hotline.prompt_duration("zh/01") + Duration::from_millis(1500);
    let (report, recording) = run_call(
        &hotline,
        dir.path(),
        &[
            &format!("wait:{}", in_main_menu.as_secs_f64()),
            "dtmf:3",
            "wait:2.5",
            "info:*",
            "wait:2.5",
            "hangup",
        ],
    );

    assert_eq!(report["answered"], true, "{report}");
    assert_eq!(report["error"], Value::Null, "{report}");
    assert_eq!(report["remote_hangup"], false, "{report}");
    assert_eq!(
        report["codec"], "PCMU",
        "PCMU is pjsua's first G.711: {report}"
    );
    // About 7 s of call at one packet per 20 ms; a wide margin for a slow start.
    let received = report["rx_packets"].as_u64().unwrap_or(0);
    assert!(
        received > 200,
        "pjsua2 received {received} RTP packets: {report}"
    );

    hotline.wait_for_no_calls(Duration::from_secs(5));
    let metrics = hotline.metrics();
    assert_eq!(
        metrics.get(&dtmf_series("rfc4733")),
        1.0,
        "{}",
        metrics.text
    );
    assert_eq!(metrics.get(&dtmf_series("info")), 1.0, "{}", metrics.text);
    assert_eq!(metrics.get(&dtmf_series("inband")), 0.0, "{}", metrics.text);
    assert_eq!(
        metrics.get(&calls_series("hung_up_by_caller")),
        1.0,
        "{}",
        metrics.text
    );

    let heard = Recording::read(&recording);
    let find = |prompt: &str, after: Duration, why: &str| {
        heard
            .find(&hotline.prompt(prompt), after)
            .unwrap_or_else(|| {
                panic!(
                    "{why}: {prompt} not heard after {after:.2?}; {}",
                    heard.describe()
                )
            })
    };
    let welcome = find("zh/01", Duration::ZERO, "the welcome");
    let main_menu = find("zh/02", welcome, "the main menu after the welcome");
    let fault = find("zh/06", main_menu, "key 3 (RFC 4733) opens the fault menu");
    let back = find(
        "zh/02",
        fault,
        "key * (SIP INFO) goes back to the main menu",
    );
    println!("pjsua2 heard 01 at {welcome:.2?}, 02 at {main_menu:.2?}, 06 at {fault:.2?}, 02 at {back:.2?}");
}

#[test]
fn pjsua2_long_distance_is_transferred_to_the_operator_by_refer() {
    if !pjsua2_available() {
        return;
    }
    let _one = support::one_client_at_a_time();
    let hotline = Hotline::start();
    let dir = tempfile::tempdir().expect("temp dir");
    let in_main_menu = hotline.prompt_duration("zh/01") + Duration::from_millis(1500);
    let transferring = hotline.prompt_duration("zh/05") + Duration::from_secs(2);
    let (report, recording) = run_call(
        &hotline,
        dir.path(),
        &[
            &format!("wait:{}", in_main_menu.as_secs_f64()),
            "dtmf:2",
            "wait:0.6",
            "dtmf:1",
            "wait:0.6",
            "dtmf:3",
            &format!("wait:{}", transferring.as_secs_f64()),
            "hangup",
        ],
    );

    assert_eq!(report["answered"], true, "{report}");
    assert_eq!(report["error"], Value::Null, "{report}");
    // The script declines the REFER (603): there is no operator in this test.
    let refer_to = report["refer_to"].as_str().unwrap_or_default();
    assert_eq!(
        refer_to.trim_matches(['<', '>']),
        "sip:operator@127.0.0.1:5070",
        "REFER to the menu's long-distance operator: {report}"
    );
    let heard = Recording::read(&recording);
    assert!(
        heard
            .find(&hotline.prompt("zh/05"), Duration::ZERO)
            .is_some(),
        "the transfer prompt (05) before the REFER: {}",
        heard.describe()
    );
    hotline.wait_for_no_calls(Duration::from_secs(10));
}

/// Runs the script for one call with `steps`; returns its JSON report and recording.
#[test]
fn pjsua2_registers_as_an_agent_with_sha256_digest_and_unregisters() {
    if !pjsua2_available() {
        return;
    }
    let _one = support::one_client_at_a_time();
    // SHA-256 alone: a registration proves pjsua2 answered the RFC 8760 challenge.
    let hotline = Hotline::start_with(|config| config.sip_digest = vec![Algorithm::Sha256]);
    hotline.add_agent("1002", "seat-1002-pass");
    let dir = tempfile::tempdir().expect("temp dir");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e/pjsua2_register.py");
    let mut command = Command::new("python3");
    command
        .arg(script)
        .args(["--registrar", &format!("sip:{}", hotline.sip())])
        .args(["--user", "1002", "--password", "seat-1002-pass"])
        .args(["--realm", DEFAULT_SIP_REALM])
        .args(["--sip-port", &support::free_ports(1).to_string()]);
    let report = run_script(&mut command, dir.path());
    assert_eq!(report["error"], Value::Null, "{report}");
    assert_eq!(report["registered"], 200, "{report}");
    let expires = report["expires"].as_u64().unwrap_or(0);
    assert!((590..=600).contains(&expires), "{report}");
    assert_eq!(report["unregistered"], 200, "{report}");
    assert_eq!(hotline.bindings("1002"), vec![], "unregistered");
}

fn run_call(hotline: &Hotline, dir: &Path, steps: &[&str]) -> (Value, PathBuf) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e/pjsua2_call.py");
    let recording = dir.join("heard.wav");
    let sip = support::free_ports(1);
    let rtp = support::free_ports(2);
    let mut command = Command::new("python3");
    command
        .arg(script)
        .args(["--uri", &hotline.uri()])
        .args(["--sip-port", &sip.to_string()])
        .args(["--rtp-port", &rtp.to_string()])
        .arg("--record")
        .arg(&recording)
        .args(steps);
    (run_script(&mut command, dir), recording)
}

/// Runs a pjsua2 script and returns the JSON report on the last line it printed.
fn run_script(command: &mut Command, dir: &Path) -> Value {
    let mut process = Client::spawn("pjsua2", command, Stdio::null(), dir);
    if process.wait_exit(Duration::from_secs(60)).is_none() {
        panic!(
            "the pjsua2 script did not finish within 60 s:\n{}",
            process.log()
        );
    }
    let log = process.log();
    log.lines()
        .rev()
        .find_map(|line| {
            serde_json::from_str::<Value>(line)
                .ok()
                .filter(Value::is_object)
        })
        .unwrap_or_else(|| panic!("no JSON report from the pjsua2 script:\n{log}"))
}
