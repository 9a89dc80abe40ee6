//! The agents in the store on every backend: added, listed and read back with their skills
//! in order, refused when duplicate or malformed, given a new password (argon2 hash and
//! digest HA1s alike), disabled and enabled, and their phones' bindings upserted,
//! refreshed, unbound and expired on a fake clock; their seats and the queues' callers
//! written through and read back.

mod store_common;

use chrono::{DateTime, Duration, Utc};
use hotline::agents::digest::{ha1, Algorithm};
use hotline::passwords::Secret;
use hotline::queues::seat::SeatStateName;
use hotline::store::{
    Binding, InvalidAgent, NewAgent, QueueCallerRecord, SeatRecord, Store, StoreError,
    DEFAULT_SIP_REALM,
};
use hotline::tickets::model::Tier;
use store_common::{backends, local};

fn secret(text: &str) -> Secret {
    Secret::new(text.to_string())
}

fn new_agent(work_number: &str, name: &str, skills: &[&str], password: &str) -> NewAgent {
    NewAgent {
        work_number: work_number.to_string(),
        name: name.to_string(),
        skills: skills.iter().map(|skill| skill.to_string()).collect(),
        password: secret(password),
    }
}

fn binding(work_number: &str, contact: &str, cseq: u32, expires_at: DateTime<Utc>) -> Binding {
    Binding {
        work_number: work_number.to_string(),
        contact: contact.to_string(),
        source: "127.0.0.1:5062".to_string(),
        transport: "UDP".to_string(),
        call_id: format!("call-{contact}"),
        cseq,
        user_agent: Some("baresip".to_string()),
        expires_at,
    }
}

/// Adds agent 1001 (王芳, ordinary and senior, password `soft-phone-1`) in the default realm.
async fn with_agent(store: &Store, now: DateTime<Utc>) {
    let agent = new_agent("1001", "王芳", &["ordinary", "senior"], "soft-phone-1");
    store
        .add_agent(&agent, DEFAULT_SIP_REALM, now)
        .await
        .unwrap();
}

#[tokio::test]
async fn agents_are_listed_by_work_number_with_their_skills_in_order() {
    for db in backends().await {
        let store = &db.store;
        let now = local(10, 9, 0);
        let later = now + Duration::minutes(5);
        // skills in an order no sort would give: they come back as given
        let second = new_agent(
            "2002",
            "李强",
            &["supervisor", "directory", "ordinary"],
            "pw2",
        );
        store.add_agent(&second, "hotline", later).await.unwrap();
        with_agent(store, now).await;
        let agents = store.agents().await.unwrap();
        let listed: Vec<_> = agents
            .iter()
            .map(|a| (a.work_number.as_str(), a.name.as_str(), a.skills.join(",")))
            .collect();
        assert_eq!(
            listed,
            [
                ("1001", "王芳", "ordinary,senior".to_string()),
                ("2002", "李强", "supervisor,directory,ordinary".to_string()),
            ],
            "{}",
            db.backend
        );
        assert!(agents.iter().all(|agent| !agent.disabled));
        assert_eq!(agents[0].created_at, now);
        assert_eq!(
            store.agent("2002").await.unwrap().as_ref(),
            Some(&agents[1])
        );
        assert_eq!(store.agent("3003").await.unwrap(), None);
        db.finish().await;
    }
}

#[tokio::test]
async fn a_duplicate_or_malformed_agent_is_refused_and_nothing_is_written() {
    for db in backends().await {
        let store = &db.store;
        let now = local(10, 9, 0);
        with_agent(store, now).await;
        let again = new_agent("1001", "张伟", &["directory"], "other");
        let refused = store.add_agent(&again, "hotline", now).await.unwrap_err();
        assert!(
            matches!(&refused, StoreError::DuplicateAgent(n) if n == "1001"),
            "{}: {refused}",
            db.backend
        );
        assert_eq!(refused.to_string(), "agent 1001 already exists");
        let stored = store.agent("1001").await.unwrap().unwrap();
        assert_eq!((stored.name.as_str(), stored.skills.len()), ("王芳", 2));
        assert!(store
            .verify_agent_password("1001", &secret("soft-phone-1"))
            .await
            .unwrap());

        let cases = [
            (
                new_agent("", "a", &["ordinary"], "pw"),
                InvalidAgent::WorkNumber(String::new()),
            ),
            (
                new_agent("12345678901", "a", &["ordinary"], "pw"),
                InvalidAgent::WorkNumber("12345678901".to_string()),
            ),
            (
                new_agent("10a1", "a", &["ordinary"], "pw"),
                InvalidAgent::WorkNumber("10a1".to_string()),
            ),
            (
                new_agent("3003", " ", &["ordinary"], "pw"),
                InvalidAgent::Name(" ".to_string()),
            ),
            (
                new_agent("3003", "a\tb", &["ordinary"], "pw"),
                InvalidAgent::Name("a\tb".to_string()),
            ),
            (new_agent("3003", "a", &[], "pw"), InvalidAgent::NoSkills),
            (
                new_agent("3003", "a", &["ordinary", ""], "pw"),
                InvalidAgent::Skill(String::new()),
            ),
            (
                new_agent("3003", "a", &["senior agent"], "pw"),
                InvalidAgent::Skill("senior agent".to_string()),
            ),
            (
                new_agent("3003", "a", &["senior", "senior"], "pw"),
                InvalidAgent::DuplicateSkill("senior".to_string()),
            ),
            (
                new_agent("3003", "a", &["ordinary"], ""),
                InvalidAgent::EmptyPassword,
            ),
        ];
        for (agent, expected) in cases {
            let error = store.add_agent(&agent, "hotline", now).await.unwrap_err();
            assert!(
                matches!(&error, StoreError::InvalidAgent(e) if *e == expected),
                "{}: {agent:?}: {error}",
                db.backend
            );
        }
        assert_eq!(db.count_rows("agents").await, 1, "{}", db.backend);
        assert_eq!(db.count_rows("agent_skills").await, 2, "{}", db.backend);
        let empty = secret("");
        let refused = store.set_agent_password("1001", &empty, "hotline", now);
        assert!(matches!(
            refused.await.unwrap_err(),
            StoreError::InvalidAgent(InvalidAgent::EmptyPassword)
        ));
        db.finish().await;
    }
}

#[tokio::test]
async fn the_stored_ha1s_are_those_of_the_work_number_realm_and_password() {
    for db in backends().await {
        let store = &db.store;
        with_agent(store, local(10, 9, 0)).await;
        for algorithm in Algorithm::PREFERRED {
            let expected = ha1(algorithm, "1001", DEFAULT_SIP_REALM, "soft-phone-1");
            let stored = store.agent_ha1("1001", algorithm).await.unwrap();
            assert_eq!(
                stored,
                Some(expected),
                "{} {}",
                db.backend,
                algorithm.name()
            );
            assert_eq!(store.agent_ha1("1002", algorithm).await.unwrap(), None);
        }
        db.finish().await;
    }
}

#[tokio::test]
async fn a_new_password_changes_the_ha1s_and_the_login_password() {
    for db in backends().await {
        let store = &db.store;
        let now = local(10, 9, 0);
        with_agent(store, now).await;
        let (old, new) = (secret("soft-phone-1"), secret("soft-phone-2"));
        assert!(store.verify_agent_password("1001", &old).await.unwrap());
        assert!(!store.verify_agent_password("1001", &new).await.unwrap());
        let set = store.set_agent_password("1001", &new, "call-centre", now);
        assert!(set.await.unwrap(), "{}", db.backend);
        assert!(!store.verify_agent_password("1001", &old).await.unwrap());
        assert!(store.verify_agent_password("1001", &new).await.unwrap());
        for algorithm in Algorithm::PREFERRED {
            let expected = ha1(algorithm, "1001", "call-centre", "soft-phone-2");
            let stored = store.agent_ha1("1001", algorithm).await.unwrap();
            assert_eq!(
                stored,
                Some(expected),
                "{} {}",
                db.backend,
                algorithm.name()
            );
        }
        let unknown = store.set_agent_password("9999", &new, "hotline", now);
        assert!(!unknown.await.unwrap());
        assert!(!store.verify_agent_password("9999", &new).await.unwrap());
        db.finish().await;
    }
}

#[tokio::test]
async fn a_disabled_agent_has_no_ha1_cannot_log_in_and_loses_their_bindings() {
    for db in backends().await {
        let store = &db.store;
        let now = local(10, 9, 0);
        with_agent(store, now).await;
        let password = secret("soft-phone-1");
        let phone = binding(
            "1001",
            "sip:1001@127.0.0.1:5062",
            1,
            now + Duration::hours(1),
        );
        store.bind(&phone).await.unwrap();

        assert!(store.set_agent_disabled("1001", true).await.unwrap());
        let agent = store.agent("1001").await.unwrap().unwrap();
        assert!(agent.disabled, "{}", db.backend);
        for algorithm in Algorithm::PREFERRED {
            assert_eq!(store.agent_ha1("1001", algorithm).await.unwrap(), None);
        }
        assert!(!store
            .verify_agent_password("1001", &password)
            .await
            .unwrap());
        assert!(store.bindings("1001", now).await.unwrap().is_empty());
        let refused = store.bind(&phone).await.unwrap_err();
        assert!(
            matches!(&refused, StoreError::NoAgent(n) if n == "1001"),
            "{}: {refused}",
            db.backend
        );

        assert!(store.set_agent_disabled("1001", false).await.unwrap());
        assert!(!store.agent("1001").await.unwrap().unwrap().disabled);
        assert!(store
            .verify_agent_password("1001", &password)
            .await
            .unwrap());
        assert!(store
            .agent_ha1("1001", Algorithm::Md5)
            .await
            .unwrap()
            .is_some());
        store.bind(&phone).await.unwrap();
        assert_eq!(store.bindings("1001", now).await.unwrap(), [phone]);
        assert!(!store.set_agent_disabled("9999", true).await.unwrap());
        db.finish().await;
    }
}

#[tokio::test]
async fn bindings_are_upserted_refreshed_and_unbound_one_or_all() {
    for db in backends().await {
        let store = &db.store;
        let now = local(10, 9, 0);
        with_agent(store, now).await;
        let desk = binding(
            "1001",
            "sip:1001@10.0.0.5:5060",
            7,
            now + Duration::seconds(600),
        );
        let mobile = Binding {
            transport: "TCP".to_string(),
            user_agent: None,
            ..binding(
                "1001",
                "sip:1001@10.0.0.9:5070;transport=tcp",
                1,
                now + Duration::seconds(3600),
            )
        };
        store.bind(&desk).await.unwrap();
        store.bind(&mobile).await.unwrap();
        let found = store.bindings("1001", now).await.unwrap();
        assert_eq!(found, [mobile.clone(), desk.clone()], "{}", db.backend);

        // the desk phone refreshes: same contact, new CSeq and expiry, one row still
        let refreshed = Binding {
            cseq: u32::MAX,
            source: "10.0.0.5:5061".to_string(),
            expires_at: now + Duration::seconds(7200),
            ..desk.clone()
        };
        store.bind(&refreshed).await.unwrap();
        let found = store.bindings("1001", now).await.unwrap();
        assert_eq!(found, [refreshed.clone(), mobile.clone()], "{}", db.backend);
        assert_eq!(db.count_rows("agent_bindings").await, 2);

        let unknown = binding("4004", "sip:4004@10.0.0.1", 1, now + Duration::hours(1));
        assert!(matches!(
            store.bind(&unknown).await,
            Err(StoreError::NoAgent(_))
        ));

        assert_eq!(
            store
                .unbind("1001", Some("sip:nobody@10.0.0.1"))
                .await
                .unwrap(),
            0
        );
        assert_eq!(store.unbind("1001", Some(&desk.contact)).await.unwrap(), 1);
        assert_eq!(
            store.bindings("1001", now).await.unwrap(),
            std::slice::from_ref(&mobile)
        );
        store.bind(&desk).await.unwrap();
        assert_eq!(
            store.unbind("1001", None).await.unwrap(),
            2,
            "{}",
            db.backend
        );
        assert!(store.bindings("1001", now).await.unwrap().is_empty());
        db.finish().await;
    }
}

#[tokio::test]
async fn a_binding_expires_at_its_expiry_to_the_millisecond() {
    for db in backends().await {
        let store = &db.store;
        let now = local(10, 9, 0);
        with_agent(store, now).await;
        let second = new_agent("2002", "李强", &["ordinary"], "pw2");
        store.add_agent(&second, "hotline", now).await.unwrap();
        let ms = Duration::milliseconds;
        // sub-second expiries: SQLite compares its stored texts, which must order as times
        let short = binding("1001", "sip:a@10.0.0.1", 1, now + ms(60_500));
        let long = binding("1001", "sip:b@10.0.0.2", 1, now + Duration::seconds(3600));
        let other = binding("2002", "sip:c@10.0.0.3", 1, now + ms(60_000));
        for b in [&short, &long, &other] {
            store.bind(b).await.unwrap();
        }
        let listed = store.bindings("1001", now + ms(60_499)).await.unwrap();
        assert_eq!(listed, [long.clone(), short.clone()], "{}", db.backend);
        let listed = store.bindings("1001", now + ms(60_500)).await.unwrap();
        assert_eq!(listed, std::slice::from_ref(&long), "{}", db.backend);
        assert!(store
            .bindings("2002", now + ms(60_000))
            .await
            .unwrap()
            .is_empty());

        assert_eq!(store.expire_bindings(now).await.unwrap(), 0);
        assert_eq!(db.count_rows("agent_bindings").await, 3);
        let expired = store.expire_bindings(now + ms(60_500)).await.unwrap();
        assert_eq!(expired, 2, "{}", db.backend);
        assert_eq!(db.count_rows("agent_bindings").await, 1);
        assert_eq!(store.bindings("1001", now).await.unwrap(), [long]);
        db.finish().await;
    }
}

#[tokio::test]
async fn a_seat_is_written_through_replaced_and_read_back() {
    for db in backends().await {
        let store = &db.store;
        let now = local(10, 11, 0);
        with_agent(store, now).await;
        let mut seat = SeatRecord {
            work_number: "1001".to_string(),
            state: SeatStateName::Ringing,
            reason: None,
            call_id: Some("a84b4c76e66710@pc33".to_string()),
            since: now,
        };
        store.save_seat(&seat).await.unwrap();
        assert_eq!(
            store.seats().await.unwrap(),
            vec![seat.clone()],
            "{}",
            db.backend
        );
        seat.state = SeatStateName::NotReady;
        seat.reason = Some("no-answer".to_string());
        seat.call_id = None;
        seat.since = now + Duration::seconds(15);
        store.save_seat(&seat).await.unwrap();
        assert_eq!(store.seats().await.unwrap(), vec![seat], "{}", db.backend);
        let stranger = SeatRecord {
            work_number: "4444".to_string(),
            state: SeatStateName::Ready,
            reason: None,
            call_id: None,
            since: now,
        };
        assert!(store.save_seat(&stranger).await.is_err(), "no such agent");
        db.finish().await;
    }
}

#[tokio::test]
async fn a_queued_caller_is_written_moved_and_removed() {
    for db in backends().await {
        let store = &db.store;
        let now = local(10, 11, 0);
        let mut caller = QueueCallerRecord {
            call_id: "a84b4c76e66710@pc33".to_string(),
            queue: "general".to_string(),
            caller: "075512345678".to_string(),
            tier: Tier::Gold,
            entered_at: now,
            requeued: false,
            place: Some(2),
            ringing: None,
        };
        store.save_queue_caller(&caller).await.unwrap();
        let first = QueueCallerRecord {
            call_id: "first@pc33".to_string(),
            place: Some(1),
            ..caller.clone()
        };
        store.save_queue_caller(&first).await.unwrap();
        let listed = store.queue_callers().await.unwrap();
        assert_eq!(
            listed,
            vec![first.clone(), caller.clone()],
            "{}",
            db.backend
        );
        caller.place = None;
        caller.ringing = Some("1001".to_string());
        store.save_queue_caller(&caller).await.unwrap();
        assert!(store.remove_queue_caller(&first.call_id).await.unwrap());
        assert!(!store.remove_queue_caller(&first.call_id).await.unwrap());
        assert_eq!(
            store.queue_callers().await.unwrap(),
            vec![caller],
            "{}",
            db.backend
        );
        db.finish().await;
    }
}
