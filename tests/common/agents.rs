//! The agents of the tests that put callers through to people: adding them to a
//! running server's store and registering their phones.

use chrono::Utc;
use hotline::agents::digest::Algorithm;
use hotline::caller::{AgentPhone, AgentPhoneConfig};
use hotline::passwords::Secret;
use hotline::server::RunningServer;
use hotline::store::{NewAgent, DEFAULT_SIP_REALM};

use super::TestServer;

/// The work number of the supervisor [`add_centre`] adds.
pub const SUPERVISOR: &str = "9001";

/// Adds agent `work_number` (named 坐席 + number) with one `skill` and `password`.
pub async fn add_agent(server: &RunningServer, work_number: &str, skill: &str, password: &str) {
    let agent = NewAgent {
        work_number: work_number.to_string(),
        name: format!("坐席{work_number}"),
        skills: vec![skill.to_string()],
        password: Secret::new(password.to_string()),
    };
    (server
        .store()
        .add_agent(&agent, DEFAULT_SIP_REALM, Utc::now()))
    .await
    .expect("agent added");
}

/// Adds agents 1001 and 1002 (ordinary) and the supervisor 9001, all with `password`.
pub async fn add_centre(server: &RunningServer, password: &str) {
    for (work_number, skill) in [
        ("1001", "ordinary"),
        ("1002", "ordinary"),
        (SUPERVISOR, "supervisor"),
    ] {
        add_agent(server, work_number, skill, password).await;
    }
}

/// The phone of `work_number`, registered with SHA-256 digest, recognising the prompts.
pub async fn phone(server: &TestServer, work_number: &str, password: &str) -> AgentPhone {
    let config = AgentPhoneConfig {
        server: server.server.sip,
        work_number: work_number.to_string(),
        password: password.to_string(),
        algorithm: Algorithm::Sha256,
        prompts: Some(server.prompts.clone()),
    };
    AgentPhone::register(config)
        .await
        .expect("the phone registers")
}
