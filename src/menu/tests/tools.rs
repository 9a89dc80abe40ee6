//! `check` against a prompt directory, and `simulate` scripts.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{bundled, load, locate, BUNDLED};
use crate::menu::{check, simulate};

/// A valid WAV file of 20 ms of silence, 8 kHz mono 16-bit.
fn silent_wav() -> Vec<u8> {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 8000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut bytes = std::io::Cursor::new(Vec::new());
    let mut writer = hound::WavWriter::new(&mut bytes, spec).unwrap();
    for _ in 0..160 {
        writer.write_sample(0i16).unwrap();
    }
    writer.finalize().unwrap();
    bytes.into_inner()
}

/// A temp dir with the bundled menu and a WAV file for every prompt it uses.
fn hotline_dir() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let menu = dir.path().join("hotline.yaml");
    fs::write(&menu, BUNDLED).unwrap();
    let prompts = dir.path().join("prompts");
    let wav = silent_wav();
    for (name, _) in bundled().prompt_refs() {
        let file = prompts.join(format!("{name}.wav"));
        fs::create_dir_all(file.parent().unwrap()).unwrap();
        fs::write(file, &wav).unwrap();
    }
    (dir, menu, prompts)
}

#[test]
fn check_passes_when_every_prompt_file_exists() {
    let (_dir, menu, prompts) = hotline_dir();
    assert_eq!(check(&menu, &prompts), vec![]);
}

#[test]
fn check_reports_a_missing_prompt_at_its_first_use() {
    let (_dir, menu, prompts) = hotline_dir();
    fs::remove_file(prompts.join("zh/24.wav")).unwrap();
    let d = check(&menu, &prompts);
    assert_eq!(d.len(), 1, "{d:#?}");
    let first_use = "wrong: {play: 24}";
    let (line, column) = locate(BUNDLED, first_use, 0);
    let column = column + first_use.len() - "24}".len();
    assert_eq!((d[0].line, d[0].column), (line, column));
    assert_eq!(d[0].file, menu);
    assert!(
        d[0].message.starts_with("prompt `zh/24`: no file"),
        "{}",
        d[0]
    );
    assert!(d[0].message.contains("used 2 times"), "{}", d[0]);
}

#[test]
fn check_reports_digit_prompts_needed_by_say_digits() {
    let (_dir, menu, prompts) = hotline_dir();
    fs::remove_file(prompts.join("zh/digit-7.wav")).unwrap();
    let d = check(&menu, &prompts);
    assert_eq!(d.len(), 1, "{d:#?}");
    let (line, column) = locate(BUNDLED, "say_digits: serial\n", 0);
    let value = column + "say_digits: ".len();
    assert_eq!((d[0].line, d[0].column), (line, value));
    assert!(
        d[0].message.starts_with("prompt `zh/digit-7`: no file"),
        "{}",
        d[0]
    );
}

#[test]
fn check_reports_a_prompt_file_that_is_not_wav() {
    let (_dir, menu, prompts) = hotline_dir();
    fs::write(prompts.join("zh/05.wav"), b"ID3 this is an mp3 file").unwrap();
    fs::write(prompts.join("zh/09.wav"), b"RIFF").unwrap();
    let d = check(&menu, &prompts);
    let messages: Vec<&str> = d.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(d.len(), 2, "{messages:?}");
    assert!(messages
        .iter()
        .any(|m| m.starts_with("prompt `zh/05`") && m.contains("05.wav")));
    assert!(messages
        .iter()
        .any(|m| m.starts_with("prompt `zh/09`") && m.contains("09.wav")));
}

#[test]
fn check_reports_an_unused_prompt_file_the_server_would_refuse() {
    let (_dir, menu, prompts) = hotline_dir();
    let stray = prompts.join("zh/unused.wav");
    fs::write(&stray, b"not audio").unwrap();
    let d = check(&menu, &prompts);
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(
        (d[0].file.as_path(), d[0].line, d[0].column),
        (stray.as_path(), 1, 1)
    );
}

#[test]
fn check_reports_a_malformed_prompt_list_row_at_its_line() {
    let (_dir, menu, prompts) = hotline_dir();
    let list = prompts.join("zh/prompts.tsv");
    fs::write(
        &list,
        "id\ttext_zh\tgloss_en\tpinyin\n02\t查询\tqueries\tcha2\n03\tno gloss\n",
    )
    .unwrap();
    let d = check(&menu, &prompts);
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(
        (d[0].file.as_path(), d[0].line, d[0].column),
        (list.as_path(), 3, 1)
    );
    assert!(d[0].message.contains("4 tab-separated columns"), "{}", d[0]);
}

#[test]
fn check_reports_menu_problems_first_and_an_unreadable_menu() {
    let (dir, menu, prompts) = hotline_dir();
    fs::write(&menu, BUNDLED.replace("{goto: fault}", "{goto: faults}")).unwrap();
    let d = check(&menu, &prompts);
    assert_eq!(d.len(), 1);
    assert!(d[0]
        .to_string()
        .starts_with(&format!("{}:", menu.display())));
    let missing = dir.path().join("nope.yaml");
    let d = check(&missing, Path::new("prompts"));
    assert!(d[0].message.starts_with("cannot read the menu file"));
}

fn sim(keys: &str) -> Vec<String> {
    simulate(bundled(), "075512345678", keys).unwrap()
}

#[test]
fn simulate_prints_prompts_keys_and_where_the_call_waits() {
    let want = [
        "play zh/01 zh/02",
        "key 1",
        "play zh/04",
        "key 3",
        "play zh/20",
        "key *",
        "play zh/04",
        "key *",
        "play zh/02",
        "waiting in menu main",
    ];
    assert_eq!(sim("1 3 * *"), want);
}

#[test]
fn simulate_wait_fires_the_no_input_timeout() {
    let want = [
        "play zh/01 zh/02",
        "timeout",
        "play zh/10 zh/02",
        "waiting in menu main",
    ];
    assert_eq!(sim("wait"), want);
}

#[test]
fn simulate_plus_presses_during_the_prompt() {
    assert_eq!(sim("+3")[1..3], ["key 3", "stop"]);
    let lines = sim("0 +1");
    assert_eq!(
        lines[3],
        "key 1 (ignored: this prompt cannot be interrupted)"
    );
    assert_eq!(lines[4], "transfer queue general");
}

#[test]
fn simulate_reports_keys_left_after_the_call_ended() {
    assert_eq!(sim("0 1 2").last().unwrap(), "call ended; not used: 1 2");
}

#[test]
fn simulate_types_a_multi_key_token_in_one_go() {
    let menu = Arc::new(load(include_str!("../../../tests/fixtures/menu/collect.yaml")).unwrap());
    let lines = simulate(menu, "075512345678", "1 0571#").unwrap();
    let want = [
        "key 0",
        "key 5",
        "key 7",
        "key 1",
        "key #",
        "play zh/31",
        "play zh/digit-0 zh/digit-5 zh/digit-7 zh/digit-1",
        "play zh/02",
        "waiting in menu main",
    ];
    assert_eq!(lines[3..], want);
}

#[test]
fn simulate_refuses_an_unknown_token() {
    let err = simulate(bundled(), "1", "1 x").unwrap_err();
    assert!(err.contains("`x`"), "{err}");
}

#[test]
fn simulate_shows_the_recording_and_stops_at_the_first_request() {
    let want = [
        "key 3",
        "play zh/suggestion-describe zh/beep",
        "record (at most 120s)",
        "timeout",
        "stop recording",
        "ask submit suggestion menu_path=3-3 number=075512345678 contact=075512345678",
        "waiting for the store's answer in menu suggestion; not used: 1 2",
    ];
    assert_eq!(sim("3 3 wait 1 2")[3..], want);
    let want = [
        "ask lookup_line number=075512345678 product=broadband",
        "waiting for the store's answer in menu fault-whose",
    ];
    assert_eq!(sim("3 1 2 1")[8..], want);
}
