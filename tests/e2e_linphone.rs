//! End to end with linphone's console client `linphonec` (Debian `linphone-cli`), driven
//! by commands on its stdin. With `soundcard use files` it sends a WAV of silence and
//! records what it hears, so no sound card is needed. It offers opus, speex, PCMU, PCMA,
//! G729 and three telephone-events (99 at 48 kHz, 100 at 16 kHz, 101 at 8 kHz): the
//! server must pick PCMU and the 8 kHz one. One call per DTMF method: RFC 4733, SIP INFO
//! (`use_info=1`) and in-band tones (both off), each counted once under its own method.

#[path = "e2e/hearing.rs"]
mod hearing;
#[path = "e2e/support.rs"]
mod support;

use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use hearing::Recording;
use support::{calls_series, dtmf_series, Client, Hotline};

const INSTALL: &str = "apt-get install linphone-cli";

#[test]
fn linphone_call_with_rfc4733_key_opens_the_fault_menu() {
    walk_to_the_fault_menu(KeysBy::Rfc4733);
}

#[test]
fn linphone_call_with_sip_info_key_opens_the_fault_menu() {
    walk_to_the_fault_menu(KeysBy::SipInfo);
}

#[test]
fn linphone_call_with_in_band_key_opens_the_fault_menu() {
    walk_to_the_fault_menu(KeysBy::InBand);
}

#[derive(Clone, Copy)]
enum KeysBy {
    Rfc4733,
    SipInfo,
    InBand,
}

impl KeysBy {
    /// The `method` label of `hotline_dtmf_keys_total` the server counts them under.
    fn metric_label(self) -> &'static str {
        match self {
            KeysBy::Rfc4733 => "rfc4733",
            KeysBy::SipInfo => "info",
            KeysBy::InBand => "inband",
        }
    }
}

fn walk_to_the_fault_menu(keys: KeysBy) {
    if !support::program_available("linphonec", INSTALL) {
        return;
    }
    let _one = support::one_client_at_a_time();
    let hotline = Hotline::start();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut phone = Linphone::start(dir.path(), keys);

    phone.call(&hotline.uri());
    std::thread::sleep(hotline.prompt_duration("zh/01") + Duration::from_millis(1500));
    phone.type_line("3"); // a line of key characters is sent as DTMF
    let series = dtmf_series(keys.metric_label());
    hotline.wait_for_metric(&series, 1.0, Duration::from_secs(3));
    std::thread::sleep(Duration::from_millis(2500));
    phone.terminate();
    hotline.wait_for_no_calls(Duration::from_secs(5));
    let recording = phone.quit();

    let metrics = hotline.metrics();
    let total_keys: f64 = ["rfc4733", "info", "inband"]
        .iter()
        .map(|m| metrics.get(&dtmf_series(m)))
        .sum();
    assert_eq!(
        metrics.get(&series),
        1.0,
        "one press, one key:\n{}",
        metrics.text
    );
    assert_eq!(
        total_keys, 1.0,
        "the key was counted under one method only:\n{}",
        metrics.text
    );
    assert_eq!(
        metrics.get(&calls_series("hung_up_by_caller")),
        1.0,
        "{}",
        metrics.text
    );

    let heard = Recording::read(&recording);
    let welcome = heard
        .find(&hotline.prompt("zh/01"), Duration::ZERO)
        .unwrap_or_else(|| {
            panic!(
                "linphone never heard the welcome (01): {}",
                heard.describe()
            )
        });
    let fault = heard
        .find(&hotline.prompt("zh/06"), welcome)
        .unwrap_or_else(|| {
            panic!(
                "key 3 did not bring the fault menu (06): {}",
                heard.describe()
            )
        });
    println!("linphone heard 01 at {welcome:.2?}, 06 at {fault:.2?}");
}

/// A running `linphonec`.
struct Linphone {
    process: Client,
    /// Where in its output the next expected line is looked for.
    seen: usize,
    record: PathBuf,
}

impl Linphone {
    fn start(dir: &Path, keys: KeysBy) -> Linphone {
        let sip = support::free_ports(1);
        let rtp = support::free_ports(2);
        let (use_info, use_rfc2833) = match keys {
            KeysBy::Rfc4733 => (0, 1),
            KeysBy::SipInfo => (1, 0),
            KeysBy::InBand => (0, 0),
        };
        // sip_tcp_port/sip_tls_port 0 = off; [rtp] bind_address makes the SDP say
        // 127.0.0.1 (else it advertises the machine's first global address, even IPv6).
        let config = format!(
            "[sip]\nsip_port={sip}\nsip_tcp_port=0\nsip_tls_port=0\nbind_address=127.0.0.1\n\
             default_proxy=-1\ncontact=sip:e2e@127.0.0.1\nuse_info={use_info}\nuse_rfc2833={use_rfc2833}\n\
             [rtp]\naudio_rtp_port={rtp}\nbind_address=127.0.0.1\n\
             [sound]\nechocancellation=0\n\
             [video]\ndisplay=0\ncapture=0\n"
        );
        let config_path = dir.join("linphonerc");
        std::fs::write(&config_path, config).expect("write linphonerc");
        // Without its database folder liblinphone never declares the network up, so it
        // never opens its SIP port ("No listening point matching").
        std::fs::create_dir_all(dir.join(".local/share/linphone")).expect("linphone data dir");
        let silence = dir.join("silence.wav");
        support::write_silence_wav(&silence, 60);
        let process = Client::spawn(
            "linphonec",
            Command::new("linphonec")
                .arg("-c")
                .arg(&config_path)
                .args(["-d", "0"])
                .env("HOME", dir)
                .env_remove("XDG_CONFIG_HOME")
                .env_remove("XDG_DATA_HOME"),
            Stdio::piped(),
            dir,
        );
        let mut phone = Linphone {
            process,
            seen: 0,
            record: dir.join("heard.wav"),
        };
        support::wait_for(
            "linphonec to open its SIP port",
            Duration::from_secs(15),
            || UdpSocket::bind(("127.0.0.1", sip)).is_err().then_some(()),
        );
        // The socket is bound a moment before liblinphone declares its listening point
        // (nothing on its console says when); `call` redials if it was too early anyway.
        std::thread::sleep(Duration::from_millis(500));
        phone.type_line("soundcard use files");
        phone.expect("Using wav files");
        phone.type_line(&format!("play {}", silence.display()));
        let record = phone.record.display().to_string();
        phone.type_line(&format!("record {record}"));
        phone
    }

    fn type_line(&mut self, line: &str) {
        self.process.type_line(line);
    }

    fn expect(&mut self, text: &str) {
        self.seen = self
            .process
            .wait_for_output(text, self.seen, Duration::from_secs(10));
    }

    fn call(&mut self, uri: &str) {
        for _ in 0..3 {
            let from = self.seen;
            self.type_line(&format!("call {uri}"));
            match self
                .process
                .try_wait_for_output("connected.", from, Duration::from_secs(10))
            {
                Ok(past) => {
                    self.seen = past;
                    self.expect("Media streams established");
                    return;
                }
                // liblinphone may take the call before its SIP listening point is up: its
                // Contact comes out as `sip:e2e@:-1`, no INVITE is built, and the call
                // hangs "in progress". Hang that attempt up and dial again.
                Err(_) if self.process.log()[from..].contains("@:-1]") => {
                    self.type_line("terminate");
                    std::thread::sleep(Duration::from_secs(1));
                }
                Err(how) => panic!(
                    "linphonec {how} before \"connected.\"; its output:\n{}",
                    self.process.log()
                ),
            }
        }
        panic!(
            "linphonec never got its SIP listening point up:\n{}",
            self.process.log()
        );
    }

    fn terminate(&mut self) {
        self.type_line("terminate");
        self.expect("ended");
    }

    /// Quits linphonec (which closes its recording) and returns what it heard.
    fn quit(mut self) -> PathBuf {
        self.type_line("quit");
        if self.process.wait_exit(Duration::from_secs(10)).is_none() {
            panic!("linphonec did not quit:\n{}", self.process.log());
        }
        self.record.clone()
    }
}
