//! The menu's graph and the prompt catalogue over real HTTP on every backend: the graph
//! has every node of the bundled menu, the catalogue lists zh/02 with its text and its
//! use in `main`, a prompt can be listened to, and an operator's upload (16 kHz stereo)
//! is converted to 8 kHz mono on disk and goes live as a new version; agents may not
//! upload (403), nobody reads anything without a login (401), and garbage or a name
//! that leaves the folder is refused (400) with nothing written.

mod common;
mod store_common;

use std::io::Cursor;
use std::path::Path;
use std::time::Duration;

use common::agents::add_agent;
use common::files::MenuFiles;
use hotline::menu::Menu;
use hotline::server::RunningServer;
use store_common::api::{request_as, send_as, send_bytes_as};
use store_common::{backends, TestDb};

const OPERATOR: (&str, &str) = ("8001", "operator-pass");
const AGENT: (&str, &str) = ("1001", "agent-pass");

/// A server per backend on a copy of the bundled menu and prompts (uploads write there),
/// with an operator and an ordinary agent.
async fn servers() -> Vec<(RunningServer, TestDb, MenuFiles)> {
    let mut servers = Vec::new();
    for db in backends().await {
        let files = MenuFiles::copy_bundled();
        let mut config = files.config();
        if db.backend != "sqlite" {
            config.db = db.url.clone();
        }
        let server = hotline::server::start(config).await.expect("server starts");
        for ((work_number, password), skill) in [(OPERATOR, "operator"), (AGENT, "ordinary")] {
            add_agent(&server, work_number, skill, password).await;
        }
        servers.push((server, db, files));
    }
    servers
}

/// `seconds` of a 440 Hz tone, 16 kHz stereo 16-bit.
fn stereo_16khz(seconds: f32) -> Vec<u8> {
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: 16_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut out = Cursor::new(Vec::new());
    let mut writer = hound::WavWriter::new(&mut out, spec).expect("writer");
    for i in 0..(16_000.0 * seconds) as usize {
        let phase = 2.0 * std::f32::consts::PI * 440.0 * i as f32 / 16_000.0;
        let sample = (phase.sin() * 8000.0) as i16;
        writer.write_sample(sample).expect("left");
        writer.write_sample(sample).expect("right");
    }
    writer.finalize().expect("finalized");
    out.into_inner()
}

#[tokio::test]
async fn the_graph_and_the_catalogue_describe_the_bundled_menu() {
    let bundled = Path::new(env!("CARGO_MANIFEST_DIR")).join("menus/hotline.yaml");
    let menu = Menu::load(&bundled).expect("the bundled menu");
    for (server, db, files) in servers().await {
        let backend = db.backend;
        let agent = Some(AGENT);
        let (status, _) = request_as(&server, None, "GET", "/api/menu/graph", None).await;
        assert_eq!(status, 401, "{backend}");
        let (status, graph) = request_as(&server, agent, "GET", "/api/menu/graph", None).await;
        assert_eq!(status, 200, "{backend}: {graph}");
        let ids: Vec<&str> = (graph["nodes"].as_array().expect("nodes").iter())
            .map(|node| node["id"].as_str().expect("an id"))
            .collect();
        for node in menu.graph().nodes {
            assert!(
                ids.contains(&node.id.as_str()),
                "{backend}: {} drawn",
                node.id
            );
        }
        assert_eq!(graph["start"], "main");
        assert!(graph["version"].as_i64().expect("a version") >= 1);
        let main_prompt = &graph["prompts"]["zh/02"];
        assert!(main_prompt["text"]
            .as_str()
            .expect("text")
            .contains("查询请按1"));
        assert!(main_prompt["duration_ms"].as_u64().expect("duration") > 1000);

        let (status, _) = request_as(&server, None, "GET", "/api/prompts", None).await;
        assert_eq!(status, 401, "{backend}");
        let (status, catalogue) = request_as(&server, agent, "GET", "/api/prompts", None).await;
        assert_eq!(status, 200, "{backend}: {catalogue}");
        let entries = catalogue["prompts"].as_array().expect("prompts");
        let main = (entries.iter())
            .find(|entry| entry["name"] == "zh/02")
            .expect("zh/02 listed");
        assert!(main["text"].as_str().expect("text").contains("查询请按1"));
        let used_in = main["used_in"].as_array().expect("uses");
        assert!(used_in.contains(&"main".into()), "{main}");
        assert_eq!(
            (&main["missing"], &main["unused"]),
            (&false.into(), &false.into())
        );
        let flagged: Vec<&str> = (entries.iter())
            .filter(|e| e["missing"] == true || e["unused"] == true || !e["format"].is_null())
            .map(|e| e["name"].as_str().expect("a name"))
            .collect();
        assert!(
            flagged.is_empty(),
            "{backend}: the bundled prompts are all fine: {flagged:?}"
        );
        let hold = entries
            .iter()
            .find(|e| e["name"] == "music/hold")
            .expect("hold");
        assert_eq!(hold["server"][0], "call::queued");

        let listened = send_as(&server, agent, "GET", "/api/prompts/zh/02.wav", None).await;
        assert_eq!(listened.status, 200, "{backend}");
        assert_eq!(listened.header("content-type"), Some("audio/wav"));
        let on_disk = std::fs::read(files.prompts.join("zh/02.wav")).expect("file");
        assert_eq!(listened.body, on_disk);
        let none = send_as(&server, agent, "GET", "/api/prompts/zh/nope.wav", None).await;
        assert_eq!(none.status, 404, "{backend}");
        let anonymous = send_as(&server, None, "GET", "/api/prompts/zh/02.wav", None).await;
        assert_eq!(anonymous.status, 401, "{backend}");
        for bad in [
            "/api/prompts/zh/..",
            "/api/prompts/zh/a%2Fb.wav",
            "/api/prompts/../02.wav",
        ] {
            let refused = send_as(&server, agent, "GET", bad, None).await;
            assert_eq!(refused.status, 400, "{backend}: {bad}");
        }
        server.shutdown().await;
        db.finish().await;
    }
}

#[tokio::test]
async fn an_operator_uploads_a_recording_that_is_converted_and_goes_live() {
    for (server, db, files) in servers().await {
        let backend = db.backend;
        let wav = files.prompts.join("zh/02.wav");
        let before = std::fs::read(&wav).expect("zh/02");
        let version = server.reloader().status().version;
        let upload = stereo_16khz(1.5);
        let put = |login, path, body| send_bytes_as(&server, login, "PUT", path, "audio/wav", body);

        assert_eq!(
            put(None, "/api/prompts/zh/02", &upload[..2000])
                .await
                .status,
            401
        );
        let answer = put(Some(AGENT), "/api/prompts/zh/02", &upload[..2000]).await;
        assert_eq!(answer.status, 403, "{backend}: agents don't change prompts");
        let answer = put(Some(OPERATOR), "/api/prompts/zh/02", b"ID3 not a wave").await;
        assert_eq!(answer.status, 400, "{backend}");
        assert!(answer.json()["error"]
            .as_str()
            .expect("a message")
            .contains("WAV"));
        for bad in [
            "/api/prompts/zh/..",
            "/api/prompts/zh/a%2Fb",
            "/api/prompts/..%2Fzh/02",
        ] {
            let answer = put(Some(OPERATOR), bad, &upload[..2000]).await;
            assert_eq!(answer.status, 400, "{backend}: {bad}");
        }
        assert_eq!(
            std::fs::read(&wav).expect("zh/02"),
            before,
            "nothing written"
        );
        assert_eq!(server.reloader().status().version, version);

        let answer = put(Some(OPERATOR), "/api/prompts/zh/02", &upload).await;
        assert_eq!(answer.status, 200, "{backend}: {:?}", answer.json());
        let attempt = answer.json();
        assert_eq!(attempt["outcome"], "switched", "{attempt}");
        assert!(attempt["trigger"]
            .as_str()
            .expect("trigger")
            .contains("zh/02"));
        let new_version = attempt["version"].as_i64().expect("a version");
        assert!(new_version > version, "{backend}");

        let reader = hound::WavReader::open(&wav).expect("a WAV on disk");
        let spec = reader.spec();
        assert_eq!(
            (spec.channels, spec.sample_rate, spec.bits_per_sample),
            (1, 8000, 16),
            "{backend}"
        );
        assert_eq!(reader.duration(), 12_000, "1.5 s at 8 kHz");
        let live = server.prompts().get("zh/02").expect("zh/02 live").duration;
        assert_eq!(live, Duration::from_millis(1500), "{backend}");
        let status = server.reloader().status();
        assert_eq!(status.version, new_version);
        let stray = std::fs::read_dir(files.prompts.join("zh"))
            .expect("folder")
            .filter_map(|entry| entry.ok())
            .any(|entry| entry.file_name().to_string_lossy().starts_with('.'));
        assert!(!stray, "no temporary file left");

        // With a broken menu file beside it the version is refused: 422 with the problem.
        std::fs::write(&files.menu, "menus: [").expect("broken");
        let answer = put(Some(OPERATOR), "/api/prompts/zh/03", &upload).await;
        assert_eq!(answer.status, 422, "{backend}");
        let refused = answer.json();
        assert_eq!(refused["outcome"], "refused");
        assert_eq!(refused["version"], new_version, "the running version stays");
        let problem = &refused["problems"][0];
        assert!(problem["file"]
            .as_str()
            .expect("a file")
            .ends_with("hotline.yaml"));
        assert!(problem["line"].as_u64().expect("a line") >= 1, "{refused}");
        server.shutdown().await;
        db.finish().await;
    }
}
