//! End to end with baresip (Debian `baresip-core`): a call through the menu, an agent's
//! registration with digest authentication, and baresip as the agent's phone answering a
//! queued caller, each hearing the other through the bridge. baresip is driven over its
//! `ctrl_tcp` module (netstring-framed JSON commands and events). It sends silence from a WAV file
//! (`aufile`), records what it hears (`sndfile`) and plays nothing (`aubridge`), so no
//! sound card is needed. It offers PCMU, PCMA and telephone-event/8000 on PT 101.

#[path = "e2e/hearing.rs"]
mod hearing;
#[path = "e2e/support.rs"]
mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use hearing::Recording;
use hotline::agents::digest::Algorithm;
use hotline::caller::{Call, KeyMethod, ToneMeter};
use hotline::media::Key;
use serde_json::{json, Value};
use support::{calls_series, dtmf_series, Client, Hotline};

const INSTALL: &str = "apt-get install baresip-core";
/// What the agent and the caller "say" in the bridged call.
const AGENT_TONE: f32 = 700.0;
const CALLER_TONE: f32 = 1100.0;
/// Bound for prompts and the queue to come round.
const HEAR: Duration = Duration::from_secs(60);
/// An account that never registers: calls go straight to the dialled URI.
const NO_REGISTRATION: &str = "<sip:e2e@127.0.0.1>;regint=0";

#[test]
fn baresip_call_hears_the_menu_and_its_rfc4733_key_opens_the_fault_menu() {
    if !support::program_available("baresip", INSTALL) {
        return;
    }
    let _one = support::one_client_at_a_time();
    let hotline = Hotline::start();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut phone = Baresip::start(dir.path(), NO_REGISTRATION);

    phone.command("dial", &hotline.uri());
    phone.wait_event("CALL_ESTABLISHED", Duration::from_secs(10));
    // The welcome, then into the main menu (02) before the key: 3 = fault / complaint (06).
    std::thread::sleep(hotline.prompt_duration("zh/01") + Duration::from_millis(1500));
    phone.command("sndcode", "3");
    hotline.wait_for_metric(&dtmf_series("rfc4733"), 1.0, Duration::from_secs(3));
    std::thread::sleep(Duration::from_millis(2500));
    phone.command("hangup", "");
    phone.wait_event("CALL_CLOSED", Duration::from_secs(5));
    hotline.wait_for_no_calls(Duration::from_secs(5));
    let recording = phone.quit();

    let metrics = hotline.metrics();
    assert_eq!(
        metrics.get(&dtmf_series("rfc4733")),
        1.0,
        "one press, one key:\n{}",
        metrics.text
    );
    assert_eq!(
        metrics.get(&dtmf_series("inband")),
        0.0,
        "silence is no key:\n{}",
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
        .unwrap_or_else(|| panic!("baresip never heard the welcome (01): {}", heard.describe()));
    let main_menu = heard
        .find(&hotline.prompt("zh/02"), welcome)
        .unwrap_or_else(|| panic!("no main menu (02) after the welcome: {}", heard.describe()));
    let fault = heard
        .find(&hotline.prompt("zh/06"), main_menu)
        .unwrap_or_else(|| {
            panic!(
                "key 3 did not bring the fault menu (06): {}",
                heard.describe()
            )
        });
    println!("baresip heard 01 at {welcome:.2?}, 02 at {main_menu:.2?}, 06 at {fault:.2?}");
}

#[test]
fn baresip_registers_as_an_agent_with_digest_authentication() {
    if !support::program_available("baresip", INSTALL) {
        return;
    }
    let _one = support::one_client_at_a_time();
    let hotline = with_agent_1001();
    let dir = tempfile::tempdir().expect("temp dir");
    let phone = Baresip::start(dir.path(), &agent_account(&hotline, ""));
    // baresip registers at once, often before its control connection is up: the
    // server's bindings are the proof.
    let bindings = support::wait_for("baresip's registration", Duration::from_secs(10), || {
        Some(hotline.bindings("1001")).filter(|b| !b.is_empty())
    });
    assert_eq!(bindings.len(), 1, "{bindings:?}");
    let binding = &bindings[0];
    let contact = (binding.contact.strip_prefix("sip:1001")).and_then(|c| c.split_once('@'));
    assert_eq!(
        contact.map(|(_, at)| at),
        Some(binding.source.as_str()),
        "{bindings:?}"
    );
    let user_agent = bindings[0].user_agent.as_deref().unwrap_or_default();
    assert!(user_agent.contains("baresip"), "{bindings:?}");
    // Quitting unregisters (Expires: 0): the binding goes.
    phone.stop();
    support::wait_for("baresip's unregistration", Duration::from_secs(10), || {
        hotline.bindings("1001").is_empty().then_some(())
    });
}

#[test]
fn baresip_as_an_agent_answers_a_queued_caller_and_they_hear_each_other() {
    if !support::program_available("baresip", INSTALL) {
        return;
    }
    let _one = support::one_client_at_a_time();
    let hotline = with_agent_1001();
    let dir = tempfile::tempdir().expect("temp dir");
    // The agent "talks" a steady tone; baresip answers incoming calls at once.
    let voice = dir.path().join("agent-voice.wav");
    support::write_tone_wav(&voice, AGENT_TONE, 60);
    let account = agent_account(&hotline, ";answermode=auto");
    let mut phone = Baresip::start_saying(dir.path(), &account, &voice);
    support::wait_for("baresip's registration", Duration::from_secs(10), || {
        Some(()).filter(|()| !hotline.bindings("1001").is_empty())
    });
    assert_eq!(hotline.agent_ready("1001", "seat-1001-pass"), 200);

    let mut call = hotline.block_on(async {
        let mut call = Call::dial(hotline.caller()).await.expect("answered");
        call.expect_prompts(&["zh/01", "zh/02"], HEAR)
            .await
            .expect("welcome and main menu");
        call.press(Key::from_char('0').expect("a key"), KeyMethod::Rfc4733)
            .await
            .expect("0 pressed");
        call
    });
    phone.wait_event("CALL_ESTABLISHED", Duration::from_secs(30));
    hotline.block_on(async {
        call.expect_tone(AGENT_TONE, HEAR)
            .await
            .expect("the agent's voice reaches the caller through the bridge");
        call.send_tone(CALLER_TONE, Duration::from_secs(2));
        tokio::time::sleep(Duration::from_millis(2500)).await;
    });
    let heard: Vec<String> = call.heard().to_vec();
    let announced = [
        "zh/digit-1",
        "zh/digit-0",
        "zh/digit-0",
        "zh/digit-1",
        "zh/30",
    ];
    assert!(
        heard.windows(announced.len()).any(|w| w == announced),
        "the caller hears the agent's number: {heard:?}"
    );
    phone.command("hangup", "");
    phone.wait_event("CALL_CLOSED", Duration::from_secs(5));
    hotline
        .block_on(call.wait_for_bye(Duration::from_secs(10)))
        .expect("the agent hanging up ends the caller's leg");
    hotline.wait_for_no_calls(Duration::from_secs(10));
    let recording = Recording::read(&phone.quit());
    let mut meter = ToneMeter::new(CALLER_TONE);
    assert!(
        recording.samples.chunks(160).any(|frame| meter.push(frame)),
        "baresip heard the caller's voice: {}",
        recording.describe()
    );
}

/// The server with agent 1001 (password `seat-1001-pass`), challenging with MD5 only:
/// baresip 1.0 (libre 1.x, Debian 12) gives up on a 401 that offers any algorithm but
/// MD5 (ENOSYS), whatever the order, so such phones need `--sip-digest md5`.
fn with_agent_1001() -> Hotline {
    let hotline = Hotline::start_with(|config| config.sip_digest = vec![Algorithm::Md5]);
    hotline.add_agent("1001", "seat-1001-pass");
    hotline
}

/// The accounts line of agent 1001's phone registering with `hotline`, plus `extra`
/// parameters.
fn agent_account(hotline: &Hotline, extra: &str) -> String {
    format!(
        "<sip:1001@{}>;auth_pass=seat-1001-pass;regint=600{extra}",
        hotline.sip()
    )
}

/// A running baresip and its control connection.
struct Baresip {
    process: Client,
    control: TcpStream,
    received: Vec<u8>,
    events: Vec<Value>,
    dir: PathBuf,
}

impl Baresip {
    /// Writes a config into `dir` (loopback only, free ports) and starts baresip on it,
    /// with `account` (an accounts-file line) as its one account, saying nothing.
    fn start(dir: &Path, account: &str) -> Baresip {
        let silence = dir.join("silence.wav");
        support::write_silence_wav(&silence, 60);
        Baresip::start_saying(dir, account, &silence)
    }

    /// [`Baresip::start`] with `voice` (an 8 kHz WAV) as what it says in calls.
    fn start_saying(dir: &Path, account: &str, voice: &Path) -> Baresip {
        // baresip listens for SIP on UDP and TCP at `sip` and for TLS at `sip + 1`.
        let sip = support::free_ports(2);
        let rtp = support::free_ports(2);
        let control = support::free_ports(1);
        let config = format!(
            "poll_method epoll\n\
             sip_listen 127.0.0.1:{sip}\n\
             net_interface 127.0.0.1\n\
             audio_player aubridge,nil\n\
             audio_alert aubridge,nil\n\
             audio_source aufile,{voice}\n\
             rtp_ports {rtp}-{rtp_end}\n\
             module_path /usr/lib/baresip/modules\n\
             module g711.so\n\
             module aufile.so\n\
             module aubridge.so\n\
             module sndfile.so\n\
             snd_path {dir}\n\
             module_app account.so\n\
             module_app menu.so\n\
             module_app ctrl_tcp.so\n\
             ctrl_tcp_listen 127.0.0.1:{control}\n",
            voice = voice.display(),
            rtp_end = rtp + 1,
            dir = dir.display(),
        );
        std::fs::write(dir.join("config"), config).expect("write baresip config");
        std::fs::write(dir.join("accounts"), format!("{account}\n")).expect("write accounts");
        let mut process = Client::spawn(
            "baresip",
            Command::new("baresip").arg("-f").arg(dir),
            Stdio::null(),
            dir,
        );
        let control = support::wait_for("baresip's ctrl_tcp port", Duration::from_secs(10), || {
            if let Some(status) = process.wait_exit(Duration::ZERO) {
                panic!("baresip exited ({status}):\n{}", process.log());
            }
            TcpStream::connect(("127.0.0.1", control)).ok()
        });
        control
            .set_read_timeout(Some(Duration::from_millis(100)))
            .expect("read timeout");
        Baresip {
            process,
            control,
            received: Vec::new(),
            events: Vec::new(),
            dir: dir.to_owned(),
        }
    }

    /// Sends a command (as the `menu` module names them) and waits for its answer.
    fn command(&mut self, command: &str, params: &str) {
        let message = json!({"command": command, "params": params, "token": command}).to_string();
        let framed = format!("{}:{message},", message.len());
        self.control
            .write_all(framed.as_bytes())
            .expect("send to baresip");
        let response = self.wait_for(
            &format!("the answer to {command}"),
            Duration::from_secs(5),
            |m| m["response"] == true && m["token"] == command,
        );
        assert_eq!(
            response["ok"], true,
            "baresip refused {command} {params}: {response}"
        );
    }

    /// Waits for the event of type `kind` (`CALL_ESTABLISHED`, `CALL_CLOSED` …).
    fn wait_event(&mut self, kind: &str, timeout: Duration) -> Value {
        self.wait_for(&format!("the event {kind}"), timeout, |m| {
            m["event"] == true && m["type"] == kind
        })
    }

    fn wait_for(
        &mut self,
        what: &str,
        timeout: Duration,
        wanted: impl Fn(&Value) -> bool,
    ) -> Value {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(at) = self.events.iter().position(&wanted) {
                return self.events.remove(at);
            }
            if Instant::now() >= deadline {
                panic!(
                    "baresip: no {what} within {timeout:?}; messages: {:?}\nlog:\n{}",
                    self.events,
                    self.process.log()
                );
            }
            let mut chunk = [0u8; 4096];
            match self.control.read(&mut chunk) {
                Ok(0) => panic!(
                    "baresip closed its control connection:\n{}",
                    self.process.log()
                ),
                Ok(n) => self.received.extend_from_slice(&chunk[..n]),
                Err(error)
                    if matches!(
                        error.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(error) => panic!("reading baresip's control connection: {error}"),
            }
            while let Some(message) = take_netstring(&mut self.received) {
                let value: Value = serde_json::from_slice(&message)
                    .unwrap_or_else(|error| panic!("baresip sent bad JSON ({error}): {message:?}"));
                self.events.push(value);
            }
        }
    }

    /// Quits baresip (which closes its recordings) and returns what it heard.
    fn quit(self) -> PathBuf {
        let dir = self.dir.clone();
        self.stop();
        let decoded: Vec<PathBuf> = std::fs::read_dir(&dir)
            .expect("list baresip's directory")
            .filter_map(|entry| Some(entry.ok()?.path()))
            .filter(|path| path.to_string_lossy().ends_with("-dec.wav"))
            .collect();
        match decoded.as_slice() {
            [one] => one.clone(),
            other => panic!("expected one decoded-audio dump, found {other:?}"),
        }
    }

    /// Quits baresip and waits for it to exit.
    fn stop(mut self) {
        let message = json!({"command": "quit", "params": "", "token": "quit"}).to_string();
        let _ = self
            .control
            .write_all(format!("{}:{message},", message.len()).as_bytes());
        if self.process.wait_exit(Duration::from_secs(5)).is_none() {
            panic!("baresip did not quit:\n{}", self.process.log());
        }
    }
}

/// Takes one netstring (`<len>:<bytes>,`) off the front of `buffer`, if whole.
fn take_netstring(buffer: &mut Vec<u8>) -> Option<Vec<u8>> {
    let colon = buffer.iter().position(|&b| b == b':')?;
    let length: usize = std::str::from_utf8(&buffer[..colon]).ok()?.parse().ok()?;
    let end = colon + 1 + length;
    if buffer.len() <= end {
        return None;
    }
    let message = buffer[colon + 1..end].to_vec();
    buffer.drain(..=end);
    Some(message)
}
