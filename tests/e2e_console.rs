//! The agent console in a real browser: headless Chromium driven through chromedriver
//! (WebDriver, `fantoccini`). An agent logs in, goes ready, a caller presses 0 and the
//! page pops the call (the caller, the way through the menu); the agent's phone answers,
//! the agent files a fault ticket from the page, the store holds it with the number, the
//! description and the agent as its actor, and after a dispatch from the page its state
//! in the store is the one the page shows. Another agent may not read that call's card;
//! a supervisor sees the queues, the agents and the call. An operator opens the menu
//! page, whose diagram has a node for every menu of the bundled file, and the prompt
//! catalogue, which lists zh/02 with its text, reloads and uploads a recording from the
//! page; a supervisor sees a call's way on the diagram (without the reload button) and
//! in the reports, an ordinary agent gets 403. Skipped (with a message)
//! without chromium and chromedriver, unless `HOTLINE_REQUIRE_E2E=1` makes that a failure.

mod common;
#[path = "store_common/mod.rs"]
mod store_common;
#[path = "e2e/support.rs"]
mod support;

use std::process::{Command, Stdio};
use std::time::Duration;

use common::agents::{add_agent, add_centre, phone};
use common::files::MenuFiles;
use common::{key, TestServer, HEAR, WAIT};
use fantoccini::{Client, ClientBuilder, Locator};
use hotline::caller::KeyMethod;
use hotline::media::G711;
use hotline::menu::Menu;
use hotline::store::Which;
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use store_common::{with_lines, LANDLINE};
use tokio::time::Instant;

const PASSWORD: &str = "console-pass-1";
const DESCRIPTION: &str = "用户反映无拨号音 no dial tone since this morning";

fn browser_available() -> bool {
    let install = "apt-get install chromium chromium-driver";
    support::program_available("chromium", install)
        && support::program_available("chromedriver", install)
}

/// Where `program` is on PATH (checked by [`browser_available`]).
fn on_path(program: &str) -> String {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let found = std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| panic!("{program} on PATH"));
    found.display().to_string()
}

/// chromedriver on a free port (killed with the test) and a headless Chromium session.
async fn browser(dir: &std::path::Path) -> (support::Client, Client) {
    let port = support::free_ports(1);
    let driver = support::Client::spawn(
        "chromedriver",
        Command::new("chromedriver").arg(format!("--port={port}")),
        Stdio::null(),
        dir,
    );
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".to_string(),
        json!({
            "binary": on_path("chromium"),
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        }),
    );
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + WAIT;
    loop {
        let connected = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities.clone())
            .connect(&url)
            .await;
        match connected {
            Ok(client) => return (driver, client),
            Err(_) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(error) => panic!("chromedriver: {error}; log: {}", driver.log()),
        }
    }
}

/// The visible text of `#id` once `accept` takes it.
async fn text_of(browser: &Client, id: &str, accept: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + WAIT;
    let mut last = String::new();
    loop {
        if let Ok(element) = browser.find(Locator::Id(id)).await {
            last = element.text().await.unwrap_or_default();
            if accept(&last) {
                return last;
            }
        }
        assert!(Instant::now() < deadline, "#{id} shows {last:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// `#id`, waiting for it to appear (the page may still be loading).
async fn element(browser: &Client, id: &str) -> fantoccini::elements::Element {
    (browser.wait().at_most(WAIT))
        .for_element(Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("#{id}: {e}"))
}

async fn type_into(browser: &Client, id: &str, text: &str) {
    let element = element(browser, id).await;
    element.clear().await.expect("cleared");
    element.send_keys(text).await.expect("typed");
}

async fn click(browser: &Client, id: &str) {
    let element = element(browser, id).await;
    element.click().await.expect("clicked");
}

/// Logs out and waits for the login page.
async fn log_out(browser: &Client) {
    click(browser, "logout").await;
    element(browser, "login-submit").await;
}

async fn log_in(browser: &Client, console: &str, work_number: &str) {
    browser.goto(console).await.expect("the console");
    type_into(browser, "work-number", work_number).await;
    type_into(browser, "password", PASSWORD).await;
    click(browser, "login-submit").await;
    text_of(browser, "agent", |t| t.starts_with(work_number)).await;
}

/// The status of a GET the page makes with its own session.
async fn status_from_page(browser: &Client, path: &str) -> u16 {
    let script = "const done = arguments[arguments.length - 1];\
                  fetch(arguments[0]).then((r) => done(r.status));";
    let status = (browser.execute_async(script, vec![json!(path)]))
        .await
        .expect("the script runs");
    status.as_u64().expect("a status") as u16
}

#[tokio::test]
async fn an_agent_takes_a_call_and_files_a_ticket_from_the_console() {
    if !browser_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("a folder for the logs");
    let server = TestServer::start().await;
    let store = server.server.store();
    with_lines(store).await;
    add_centre(&server.server, PASSWORD).await;
    let mut phone = phone(&server, "1001", PASSWORD).await;

    let (_driver, browser) = browser(dir.path()).await;
    let console = format!("http://{}/console", server.server.http);
    log_in(&browser, &console, "1001").await;
    click(&browser, "ready").await;
    text_of(&browser, "seat-state", |t| t == "ready").await;

    let mut call = server.dial_from(LANDLINE).await;
    call.press(key('0'), KeyMethod::Rfc4733)
        .await
        .expect("pressed");
    let invite = phone.next_invite(HEAR).await.expect("the phone rings");
    text_of(&browser, "call-caller", |t| t == LANDLINE).await;
    let path = text_of(&browser, "call-path", |t| t.contains("key 0")).await;
    assert!(path.contains("menu main"), "{path}");
    text_of(&browser, "seat-state", |t| t == "ringing").await;
    let call_info = invite.header("Call-Info").expect("a Call-Info").to_string();

    let agent_call = invite.answer(G711::Alaw).await.expect("answered");
    text_of(&browser, "call-stage", |t| t == "talking").await;
    text_of(&browser, "seat-state", |t| t == "talking").await;
    let number = browser
        .find(Locator::Id("ticket-number"))
        .await
        .expect("number");
    let number = number.prop("value").await.expect("a value");
    assert_eq!(
        number.as_deref(),
        Some(LANDLINE),
        "pre-filled from the card"
    );
    let types = (browser.find_all(Locator::Css("#ticket-complaint-type option")))
        .await
        .expect("options");
    assert!(
        types.len() > 1,
        "the catalogue's complaint types are offered"
    );
    type_into(&browser, "ticket-phenomenon", "无拨号音 no dial tone").await;
    type_into(&browser, "ticket-description", DESCRIPTION).await;
    click(&browser, "ticket-submit").await;
    let result = text_of(&browser, "ticket-result", |t| {
        t.contains("Submitted") || t.contains("Error")
    })
    .await;
    let serial = result.rsplit(' ').next().expect("a serial").to_string();
    assert!(
        serial.len() == 12 && serial.bytes().all(|b| b.is_ascii_digit()),
        "{result}"
    );
    text_of(&browser, "number-tickets", |t| t.contains(&serial)).await;

    let tickets = (store.tickets_for_number(LANDLINE, Which::Active))
        .await
        .expect("read");
    let ticket = (tickets.iter())
        .find(|t| t.serial.to_string() == serial)
        .expect("the page's ticket is stored");
    let stored = json!(ticket);
    assert_eq!(stored["ticket"]["number"], LANDLINE);
    assert_eq!(stored["ticket"]["content"], DESCRIPTION, "{stored}");
    assert_eq!(stored["created_by"], json!({"kind": "agent", "id": "1001"}));

    // The agent dispatches it from the page; the store's state is the one shown.
    click(&browser, &format!("ticket-{}-dispatch", ticket.id.0)).await;
    text_of(&browser, "ticket-step-result", |t| t.contains("dispatched")).await;
    let shown = text_of(&browser, "number-tickets", |t| t.contains("dispatched")).await;
    let detail = (store.ticket(ticket.id))
        .await
        .expect("read")
        .expect("the ticket");
    let status = json!(detail.ticket.state.status);
    let status = status.as_str().expect("a status name");
    let state_cell = browser
        .find(Locator::Css("#number-tickets .ticket-state"))
        .await
        .expect("the state cell");
    assert_eq!(
        state_cell.text().await.expect("its text"),
        status,
        "{shown}"
    );
    let dispatch = detail.events.last().expect("the dispatch");
    assert_eq!(
        json!(dispatch.actor),
        json!({"kind": "agent", "id": "1001"})
    );

    agent_call.hang_up().await.expect("hung up");
    call.wait_for_bye(WAIT)
        .await
        .expect("the caller's leg ends");

    // Another agent may not read the call's card.
    let card_path = call_info
        .split("/console/calls/")
        .nth(1)
        .and_then(|rest| rest.split(['>', ';', '"']).next())
        .map(|call_id| format!("/console/api/calls/{call_id}"))
        .expect("the call's id in Call-Info");
    assert_eq!(status_from_page(&browser, &card_path).await, 200);
    log_out(&browser).await;
    log_in(&browser, &console, "1002").await;
    assert_eq!(status_from_page(&browser, &card_path).await, 403);
    let overview = browser
        .find(Locator::Id("overview"))
        .await
        .expect("#overview");
    assert!(
        !overview.is_displayed().await.expect("shown?"),
        "agents have none"
    );

    // A supervisor sees the queues and the agents live (1001 logged out with the page).
    log_out(&browser).await;
    log_in(&browser, &console, "9001").await;
    text_of(&browser, "queues", |t| t.contains("general")).await;
    text_of(&browser, "agents", |t| t.contains("1001 logged-out")).await;
    text_of(&browser, "calls", |t| {
        t.contains(LANDLINE) && t.contains("ended")
    })
    .await;
    let pop = browser.find(Locator::Id("call")).await.expect("#call");
    assert!(
        !pop.is_displayed().await.expect("shown?"),
        "not the supervisor's call"
    );
    assert_eq!(status_from_page(&browser, &card_path).await, 200);
    browser.close().await.expect("the browser closes");
}

#[tokio::test]
async fn an_operator_sees_the_menu_diagram_and_the_prompt_catalogue() {
    if !browser_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("a folder for the logs");
    let files = MenuFiles::copy_bundled();
    let server = TestServer::start_with(files.config()).await;
    add_agent(&server.server, "8001", "operator", PASSWORD).await;
    add_centre(&server.server, PASSWORD).await;
    // A caller goes 1 (query) and hangs up, before the recordings change.
    let mut call = server.dial_from(LANDLINE).await;
    call.press(key('1'), KeyMethod::Rfc4733)
        .await
        .expect("pressed");
    call.expect_prompts(&["zh/04"], HEAR).await.expect("query");
    call.hang_up().await.expect("hung up");
    let (_driver, browser) = browser(dir.path()).await;
    let console = format!("http://{}/console", server.server.http);
    log_in(&browser, &console, "8001").await;

    browser
        .goto(&format!("{console}/menu"))
        .await
        .expect("the menu page");
    let bundled = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("menus/hotline.yaml");
    let menu = Menu::load(&bundled).expect("the bundled menu");
    for node in menu.graph().nodes {
        element(&browser, &format!("menu-node-{}", node.id)).await;
    }
    let main = element(&browser, "menu-node-main").await;
    let main = main.text().await.expect("the main node's text");
    assert!(main.contains("查询请按1"), "the prompt's text: {main}");
    text_of(&browser, "menu-status", |t| t.contains("Version")).await;
    text_of(&browser, "menu-versions", |t| t.contains("startup")).await;
    let reload = element(&browser, "menu-reload").await;
    assert!(
        reload.is_displayed().await.expect("shown?"),
        "for operators"
    );
    click(&browser, "menu-reload").await;
    text_of(&browser, "menu-result", |t| t.contains("unchanged")).await;

    browser
        .goto(&format!("{console}/prompts"))
        .await
        .expect("the prompts page");
    let row = text_of(&browser, "prompt-row-zh/02", |t| t.contains("查询请按1")).await;
    assert!(row.contains("main"), "used in main: {row}");

    // The operator uploads a recording from the page (with the session's CSRF token).
    let version = server.server.reloader().status().version;
    let recording = dir.path().join("new-02.wav");
    std::fs::copy(files.prompts.join("zh/03.wav"), &recording).expect("a recording");
    let chooser = element(&browser, "upload-file-zh/02").await;
    chooser
        .send_keys(&recording.display().to_string())
        .await
        .expect("file chosen");
    click(&browser, "upload-zh/02").await;
    text_of(&browser, "prompts-note", |t| t.contains("switched")).await;
    assert!(server.server.reloader().status().version > version);
    let samples = |name: &str| -> Vec<i16> {
        let reader = hound::WavReader::open(files.prompts.join(name)).expect("a WAV");
        reader
            .into_samples()
            .map(|s| s.expect("a sample"))
            .collect()
    };
    assert_eq!(
        samples("zh/02.wav"),
        samples("zh/03.wav"),
        "the uploaded recording is in the folder"
    );

    browser
        .goto(&format!("{console}/reports"))
        .await
        .expect("the reports page");
    text_of(&browser, "report-note", |t| !t.is_empty()).await;

    // The caller's way (1, query): a supervisor sees it on the diagram (without the
    // operator's buttons) and in the reports; an agent sees neither.
    log_out(&browser).await;
    log_in(&browser, &console, "9001").await;
    browser
        .goto(&format!("{console}/menu"))
        .await
        .expect("the menu page");
    let deadline = Instant::now() + WAIT;
    loop {
        click(&browser, "usage-show").await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let query = element(&browser, "menu-node-query").await;
        let shown = query.text().await.expect("the query node's text");
        if shown.contains("↦1 ") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no usage on the diagram: {shown}"
        );
    }
    let reload = element(&browser, "menu-reload").await;
    assert!(
        !reload.is_displayed().await.expect("shown?"),
        "operators only"
    );
    browser
        .goto(&format!("{console}/reports"))
        .await
        .expect("the reports page");
    text_of(&browser, "report-table", |t| t.contains("calls")).await;
    element(&browser, "report-chart-calls").await;
    browser.goto(&console).await.expect("the console");
    log_out(&browser).await;
    log_in(&browser, &console, "1001").await;
    assert_eq!(status_from_page(&browser, "/console/menu").await, 403);
    browser.close().await.expect("the browser closes");
}
