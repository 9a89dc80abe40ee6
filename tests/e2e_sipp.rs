//! End to end with SIPp (Debian `sip-tester`): `tests/e2e/sipp/rfc4733_keys.xml` offers
//! PCMA + telephone-event/8000 (PT 101), presses 3 by replaying SIPp's bundled RFC 4733
//! capture, and hangs up; once over UDP, once over TCP. SIPp always gets its own `-p`
//! and `-mp` ports (never 5060).

#[path = "e2e/support.rs"]
mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use support::{calls_series, dtmf_series, Client, Hotline};

const INSTALL: &str = "apt-get install sip-tester";
/// The bundled capture of key 3 (RFC 4733, PT 101) the scenario replays.
const KEY_3_PCAP: &str = "/usr/share/sip-tester/dtmf_2833_3.pcap";

#[test]
fn sipp_over_udp_presses_3_by_rfc4733_and_hangs_up() {
    press_3_and_hang_up("u1");
}

#[test]
fn sipp_over_tcp_presses_3_by_rfc4733_and_hangs_up() {
    press_3_and_hang_up("t1");
}

fn press_3_and_hang_up(transport: &str) {
    if !support::program_available("sipp", INSTALL) {
        return;
    }
    assert!(
        Path::new(KEY_3_PCAP).is_file(),
        "{KEY_3_PCAP} is missing ({INSTALL})"
    );
    let _one = support::one_client_at_a_time();
    let hotline = Hotline::start();
    let dir = tempfile::tempdir().expect("temp dir");
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e/sipp/rfc4733_keys.xml");
    let sip = support::free_ports(1);
    // SIPp binds audio RTP/RTCP and video RTP/RTCP from the media port up.
    let media = support::free_ports(4);
    let before_key = hotline.prompt_duration("zh/01") + Duration::from_millis(1500);

    let mut sipp = Client::spawn(
        "sipp",
        Command::new("sipp")
            .arg("-sf")
            .arg(&scenario)
            .args(["-t", transport])
            .args(["-i", "127.0.0.1", "-p", &sip.to_string()])
            .args(["-mi", "127.0.0.1", "-mp", &media.to_string()])
            .args(["-d", &before_key.as_millis().to_string()])
            .args(["-m", "1", "-nostdin", "-timeout", "30", "-timeout_error"])
            .arg("-trace_err")
            .arg("-error_file")
            .arg(dir.path().join("errors.log"))
            .arg(hotline.sip().to_string())
            .current_dir(dir.path()),
        Stdio::null(),
        dir.path(),
    );
    let status = sipp
        .wait_exit(Duration::from_secs(40))
        .unwrap_or_else(|| panic!("SIPp did not finish:\n{}", sipp.log()));
    let errors = std::fs::read_to_string(dir.path().join("errors.log")).unwrap_or_default();
    assert!(
        status.success(),
        "SIPp's call failed ({status}):\n{errors}\n{}",
        sipp.log()
    );

    hotline.wait_for_no_calls(Duration::from_secs(5));
    let metrics = hotline.metrics();
    assert_eq!(
        metrics.get(&dtmf_series("rfc4733")),
        1.0,
        "key 3 counted once:\n{}",
        metrics.text
    );
    assert_eq!(
        metrics.get(&calls_series("hung_up_by_caller")),
        1.0,
        "{}",
        metrics.text
    );
    // The menu was played to SIPp's media port: more than the welcome's worth of frames.
    let sent = metrics.get("hotline_rtp_packets_total{direction=\"out\"}");
    let welcome_frames = hotline.prompt_duration("zh/01").as_millis() as f64 / 20.0;
    assert!(
        sent > welcome_frames,
        "{sent} RTP packets sent:\n{}",
        metrics.text
    );
    let received = metrics.get("hotline_rtp_packets_total{direction=\"in\"}");
    assert!(
        received >= 1.0,
        "the key's RTP packets reached the server:\n{}",
        metrics.text
    );
}
