//! Menu versions in the store on every backend: numbered in order, listed newest first,
//! read back whole (menu text and prompt digests), prompt files kept once by digest, and
//! a version with the contents of an earlier one says which.

mod store_common;

use std::collections::BTreeMap;

use chrono::{Duration, Utc};
use hotline::live::snapshot::{sha256_hex, Contents};
use hotline::store::NewMenuVersion;
use store_common::backends;

fn contents(menu: &str, prompts: &[(&str, &[u8])]) -> Contents {
    Contents {
        menu_text: menu.to_string(),
        prompts: (prompts.iter())
            .map(|(file, bytes)| (file.to_string(), sha256_hex(bytes)))
            .collect::<BTreeMap<_, _>>(),
    }
}

#[tokio::test]
async fn versions_are_kept_whole_and_a_return_to_earlier_contents_names_the_version() {
    for db in backends().await {
        let store = &db.store;
        assert!(store.latest_menu_version().await.expect("read").is_none());
        let (greeting, menu_prompt) = (b"RIFF one".as_slice(), b"RIFF two".as_slice());
        let first = contents(
            "start: main\n",
            &[("zh/01.wav", greeting), ("zh/02.wav", menu_prompt)],
        );
        let digest = |bytes: &[u8]| sha256_hex(bytes);
        let (d1, d2) = (digest(greeting), digest(menu_prompt));
        let t0 = Utc::now();
        let v1 = store
            .record_menu_version(&NewMenuVersion {
                activated_at: t0,
                source: "startup",
                menu_file: "hotline.yaml",
                contents: &first,
                changes: "prompt added: zh/01.wav\n",
                files: &[(&d1, greeting), (&d2, menu_prompt)],
            })
            .await
            .expect("first version");
        let second = contents("start: other\n", &[("zh/01.wav", greeting)]);
        let v2 = store
            .record_menu_version(&NewMenuVersion {
                activated_at: t0 + Duration::seconds(1),
                source: "file change",
                menu_file: "hotline.yaml",
                contents: &second,
                changes: "-start: main\n+start: other\n",
                files: &[],
            })
            .await
            .expect("second version");
        let v3 = store
            .record_menu_version(&NewMenuVersion {
                activated_at: t0 + Duration::seconds(2),
                source: "rollback to version 1 by 8001",
                menu_file: "hotline.yaml",
                contents: &first,
                changes: "",
                // Already kept: offered again, kept once.
                files: &[(&d2, menu_prompt)],
            })
            .await
            .expect("third version");
        assert!(v1 < v2 && v2 < v3, "{} numbers in order", db.backend);

        let listed = store.menu_versions(10).await.expect("list");
        let numbers: Vec<i64> = listed.iter().map(|v| v.version).collect();
        assert_eq!(numbers, [v3, v2, v1], "{}: newest first", db.backend);
        assert_eq!(listed[0].same_as, Some(v1));
        assert_eq!(listed[1].same_as, None);
        assert_eq!(listed[1].changes, "-start: main\n+start: other\n");
        assert_eq!(store.menu_versions(1).await.expect("list").len(), 1);

        let (version, read) = store.menu_version(v2).await.expect("read").expect("v2");
        assert_eq!((version.source.as_str(), read), ("file change", second));
        let (latest, read) = store
            .latest_menu_version()
            .await
            .expect("read")
            .expect("v3");
        assert_eq!((latest.version, read), (v3, first));
        assert!(store.menu_version(v3 + 100).await.expect("read").is_none());

        let kept = store.kept_prompt_files().await.expect("kept");
        assert_eq!(kept.into_iter().collect::<Vec<_>>(), {
            let mut both = vec![d1.clone(), d2.clone()];
            both.sort();
            both
        });
        let bytes = store.prompt_file(&d2).await.expect("read").expect("kept");
        assert_eq!(bytes, menu_prompt);
        assert!(store
            .prompt_file(&"0".repeat(64))
            .await
            .expect("read")
            .is_none());
        db.finish().await;
    }
}
