//! The behaviour every hotline has, over real calls: timeout, invalid key, too many
//! failures (the agents' queue with the bundled menu, goodbye and BYE when the menu says
//! `hangup`), and a transfer by REFER (the long-distance operator).

mod common;

use std::path::Path;

use common::{key, wrong_key, TestServer, HEAR, WAIT};
use hotline::caller::{Call, KeyMethod};
use hotline::server::ServerConfig;
use hotline::sip::Transport;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_key_plays_the_timeout_prompt_then_the_menu_again() {
    let server = TestServer::start().await;
    let mut call = server.dial(Transport::Udp).await;
    call.expect_prompts(&["zh/01", "zh/02", "zh/10", "zh/02"], HEAR)
        .await
        .expect("timeout, then the main menu again");
    call.hang_up().await.expect("BYE answered");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_key_plays_the_invalid_prompt_then_the_menu_again() {
    let server = TestServer::start().await;
    let mut call = server.dial(Transport::Udp).await;
    call.expect_prompts(&["zh/01", "zh/02"], HEAR)
        .await
        .expect("main menu");
    wrong_key(&mut call).await;
    call.hang_up().await.expect("BYE answered");
}

/// Three wrong keys in a row: 11 and the menu twice, then 08.
async fn three_wrong_keys(call: &mut Call) {
    call.expect_prompts(&["zh/01", "zh/02"], HEAR)
        .await
        .expect("main menu");
    for _ in 0..2 {
        wrong_key(call).await;
    }
    call.press(key('9'), KeyMethod::Rfc4733)
        .await
        .expect("key sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_many_wrong_keys_play_08_and_hand_the_caller_to_the_agents() {
    let server = TestServer::start().await;
    let mut call = server.dial(Transport::Udp).await;
    three_wrong_keys(&mut call).await;
    // No agent is logged in here: busy, and a call-back request is kept.
    call.expect_prompts(
        &["zh/08", "zh/05", "zh/12", "zh/queue-callback-taken"],
        HEAR,
    )
    .await
    .expect("too many, to the agents' queue, busy");
    call.wait_for_bye(WAIT).await.expect("the server hangs up");
    server.wait_active_calls(0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_long_distance_operator_is_reached_by_refer() {
    let server = TestServer::start().await;
    let mut call = server.dial(Transport::Udp).await;
    call.expect_prompts(&["zh/01", "zh/02"], HEAR)
        .await
        .expect("main menu");
    for (pressed, heard) in [('2', "zh/03"), ('1', "zh/25")] {
        call.press(key(pressed), KeyMethod::Rfc4733)
            .await
            .expect("key sent");
        call.expect_prompts(&[heard], HEAR)
            .await
            .expect("next menu");
    }
    call.press(key('3'), KeyMethod::Rfc4733)
        .await
        .expect("key sent");
    call.expect_prompts(&["zh/05"], HEAR)
        .await
        .expect("transferring");
    let target = call.wait_for_refer(WAIT).await.expect("REFER");
    assert!(target.contains("sip:operator@"), "Refer-To {target}");
    call.notify_transfer(200).await.expect("NOTIFY answered");
    // The transfer succeeded: the server, the transferor, ends its leg (RFC 5589).
    call.wait_for_bye(WAIT)
        .await
        .expect("the server hangs up after the transfer");
    server.wait_active_calls(0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_many_wrong_keys_with_hangup_play_08_and_09_then_the_server_sends_bye() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bundled = std::fs::read_to_string(root.join("menus/hotline.yaml")).expect("menu");
    let from = "on_too_many: {transfer: agent}";
    assert!(
        bundled.contains(from),
        "the bundled menu no longer says {from:?}"
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let menu = dir.path().join("hotline.yaml");
    std::fs::write(&menu, bundled.replace(from, "on_too_many: hangup")).expect("write menu");
    let mut config = ServerConfig::for_tests(root);
    config.menu = menu;
    let server = TestServer::start_with(config).await;

    let mut call = server.dial(Transport::Udp).await;
    three_wrong_keys(&mut call).await;
    call.expect_prompts(&["zh/08", "zh/09"], HEAR)
        .await
        .expect("too many, goodbye");
    call.wait_for_bye(HEAR).await.expect("the server hangs up");
    server.wait_active_calls(0).await;
}
