//! Real calls over loopback walking the bundled menu (`menus/hotline.yaml`), with each
//! way of sending keys, over UDP and TCP; the prompts heard are identified frame by
//! frame against the server's PromptStore.

mod common;

use std::time::{Duration, Instant};

use common::{key, TestServer, HEAR};
use hotline::caller::{Call, CallerConfig, KeyMethod};
use hotline::sip::Transport;

/// Main menu → query menu (1) → installation progress (3) → back (*) → back (*) →
/// password menu (6) → its information prompt, which returns (1) → back (*), then BYE.
async fn walk(server: &TestServer, config: CallerConfig, how: KeyMethod) {
    let mut call = Call::dial(config).await.expect("the call is answered");
    call.expect_prompts(&["zh/01", "zh/02"], HEAR)
        .await
        .expect("welcome and main menu");
    let steps: [(char, &[&str]); 7] = [
        ('1', &["zh/04"]),
        ('3', &["zh/20"]),
        ('*', &["zh/04"]),
        ('*', &["zh/02"]),
        ('6', &["zh/27"]),
        ('1', &["zh/password-info", "zh/27"]),
        ('*', &["zh/02"]),
    ];
    for (k, prompts) in steps {
        call.press(key(k), how).await.expect("key sent");
        call.expect_prompts(prompts, HEAR)
            .await
            .unwrap_or_else(|e| panic!("after key {k} by {how:?}: {e}"));
    }
    call.hang_up().await.expect("BYE answered");
    server.wait_active_calls(0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rfc4733_keys_walk_the_menu_and_hear_each_prompt_in_order() {
    let server = TestServer::start().await;
    walk(&server, server.caller(Transport::Udp), KeyMethod::Rfc4733).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sip_info_keys_walk_the_menu_and_hear_each_prompt_in_order() {
    let server = TestServer::start().await;
    walk(&server, server.caller(Transport::Udp), KeyMethod::SipInfo).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_band_tones_walk_the_menu_when_no_telephone_event_is_offered() {
    let server = TestServer::start().await;
    let mut config = server.caller(Transport::Udp);
    config.telephone_event = None;
    walk(&server, config, KeyMethod::InBand).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn walk_over_tcp_with_rfc4733_keys_hears_each_prompt_in_order() {
    let server = TestServer::start().await;
    walk(&server, server.caller(Transport::Tcp), KeyMethod::Rfc4733).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn telephone_event_payload_types_99_and_120_are_understood() {
    let server = TestServer::start().await;
    for pt in [99, 120] {
        let mut config = server.caller(Transport::Udp);
        config.telephone_event = Some(pt);
        let mut call = Call::dial(config).await.expect("answered");
        assert_eq!(
            call.telephone_event(),
            Some(pt),
            "the answer keeps the offered PT"
        );
        call.expect_prompts(&["zh/01", "zh/02"], HEAR)
            .await
            .expect("main menu");
        call.press(key('3'), KeyMethod::Rfc4733)
            .await
            .expect("key sent");
        call.expect_prompts(&["zh/06"], HEAR)
            .await
            .expect("fault menu");
        call.hang_up().await.expect("BYE answered");
    }
    server.wait_active_calls(0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pcma_only_caller_gets_pcma_and_hears_the_prompts() {
    let server = TestServer::start().await;
    let mut config = server.caller(Transport::Udp);
    config.codecs = vec![hotline::media::G711::Alaw];
    let mut call = Call::dial(config).await.expect("answered");
    assert_eq!(call.codec(), hotline::media::G711::Alaw);
    call.expect_prompts(&["zh/01", "zh/02"], HEAR)
        .await
        .expect("main menu in A-law");
    call.hang_up().await.expect("BYE answered");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_during_main_menu_stops_it_and_the_fault_menu_starts() {
    let server = TestServer::start().await;
    let main_menu = server
        .server
        .prompts()
        .get("zh/02")
        .expect("prompt 02")
        .duration;
    let mut call = server.dial(Transport::Udp).await;
    call.expect_prompts(&["zh/01", "zh/02"], HEAR)
        .await
        .expect("main menu starts");
    let pressed = Instant::now();
    call.press(key('3'), KeyMethod::Rfc4733)
        .await
        .expect("key sent");
    call.expect_prompts(&["zh/06"], HEAR)
        .await
        .expect("fault menu");
    let waited = pressed.elapsed();
    // Without barge-in 06 would only start once the whole of 02 had played.
    assert!(
        waited
            < main_menu
                .saturating_sub(Duration::from_secs(1))
                .max(Duration::from_millis(1500)),
        "06 began {waited:?} after the key; 02 lasts {main_menu:?}"
    );
    call.hang_up().await.expect("BYE answered");
}
