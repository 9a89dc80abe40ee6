//! SIP behaviour over real calls: BYE from the caller, CANCEL before the answer, a
//! retransmitted INVITE, no common codec, OPTIONS.

mod common;

use common::{TestServer, HEAR};
use hotline::caller::{options, Call, CallError, CancelOutcome};
use hotline::sip::Transport;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bye_from_the_caller_ends_the_call_on_the_server() {
    let server = TestServer::start().await;
    let mut call = server.dial(Transport::Udp).await;
    assert!(
        call.provisional().contains(&100),
        "100 Trying before the answer"
    );
    call.expect_prompts(&["zh/01"], HEAR)
        .await
        .expect("welcome");
    assert_eq!(server.active_calls(), 1);
    call.hang_up().await.expect("BYE answered 200");
    server.wait_active_calls(0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bye_from_the_caller_over_tcp_ends_the_call_on_the_server() {
    let server = TestServer::start().await;
    let mut call = server.dial(Transport::Tcp).await;
    call.expect_prompts(&["zh/01"], HEAR)
        .await
        .expect("welcome");
    call.hang_up().await.expect("BYE answered 200");
    server.wait_active_calls(0).await;
}

/// The server answers at once, so the CANCEL (sent on the 100 Trying) may arrive after
/// the 200 OK: then the call is up and is hung up instead. Either way no call is left.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_before_the_answer_gets_200_and_487_or_the_call_is_answered() {
    let server = TestServer::start().await;
    match Call::dial_and_cancel(server.caller(Transport::Udp))
        .await
        .expect("a final response")
    {
        CancelOutcome::Cancelled {
            invite_status,
            cancel_status,
        } => {
            assert_eq!(
                invite_status, 487,
                "INVITE ends with 487 Request Terminated"
            );
            assert_eq!(cancel_status, Some(200), "CANCEL answered 200");
        }
        CancelOutcome::Answered(call) => {
            eprintln!("the 200 OK overtook the CANCEL; hanging up instead");
            call.hang_up().await.expect("BYE answered");
        }
    }
    server.wait_active_calls(0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retransmitted_invite_makes_one_call() {
    let server = TestServer::start().await;
    let mut config = server.caller(Transport::Udp);
    config.extra_invite_copies = 2;
    let mut call = Call::dial(config.clone()).await.expect("answered");
    call.resend_invite()
        .await
        .expect("INVITE sent again after the answer");
    // OPTIONS from the same socket: answered only after the copies before it.
    assert_eq!(call.ping(&config).await.expect("OPTIONS answered"), 200);
    call.expect_prompts(&["zh/01"], HEAR)
        .await
        .expect("welcome");
    assert_eq!(
        call.answer_tags().len(),
        1,
        "one dialog: {:?}",
        call.answer_tags()
    );
    assert_eq!(server.active_calls(), 1);
    call.hang_up().await.expect("BYE answered");
    server.wait_active_calls(0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offer_without_g711_is_rejected_with_488() {
    let server = TestServer::start().await;
    let mut config = server.caller(Transport::Udp);
    config.codecs = Vec::new();
    match Call::dial(config).await {
        Err(CallError::Rejected { status }) => assert_eq!(status, 488),
        Err(e) => panic!("expected 488, got {e}"),
        Ok(_) => panic!("expected 488, the call was answered"),
    }
    assert_eq!(server.active_calls(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn options_is_answered_200_over_udp_and_tcp() {
    let server = TestServer::start().await;
    for transport in [Transport::Udp, Transport::Tcp] {
        let status = options(&server.caller(transport))
            .await
            .expect("OPTIONS answered");
        assert_eq!(status, 200, "over {transport:?}");
    }
}
