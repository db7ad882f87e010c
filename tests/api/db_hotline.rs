//! The `db::hotline` and `db::audit` functions against a real PostgreSQL: the call log and its
//! constraints, outcome counts, dossiers by phone, a caller's open items, and the audit log's
//! filters and constraints.

use chrono::{Duration, Utc};
use serde_json::json;
use tracuu::db;
use tracuu::db::audit::NewAuditEntry;
use tracuu::domain::audit::AuditFilter;

use crate::intake_support::*;

async fn operator_id(app: &crate::helpers::TestApp, username: &str) -> i64 {
    add_staff(app, username, "operator", None).await;
    app.db
        .client()
        .await
        .query_one(
            "SELECT id FROM staff_accounts WHERE username = $1",
            &[&username],
        )
        .await
        .expect("account")
        .get(0)
}

#[tokio::test]
async fn calls_open_end_once_and_are_counted_by_source_and_outcome() {
    let app = spawn_intake_app().await;
    let client = app.db.client().await;
    let me = operator_id(&app, "dtv.db").await;
    let other = operator_id(&app, "dtv.khac").await;
    let started = Utc::now() - Duration::minutes(5);

    let call = db::hotline::insert_operator_call(&client, me, Some("+84912345678"), started)
        .await
        .expect("call");
    assert!(db::hotline::find_operator_call(&client, call, other)
        .await
        .expect("find")
        .is_none());
    let found = db::hotline::find_operator_call(&client, call, me)
        .await
        .expect("find")
        .expect("mine");
    assert_eq!(found.caller_phone.as_deref(), Some("+84912345678"));
    assert_eq!(found.outcome, None);
    assert_eq!(
        db::hotline::list_open_calls(&client, me)
            .await
            .expect("open")
            .len(),
        1
    );

    assert!(
        !db::hotline::end_call(&client, call, other, "resolved", None)
            .await
            .expect("end")
    );
    assert!(
        db::hotline::end_call(&client, call, me, "resolved", Some("ok"))
            .await
            .expect("end")
    );
    assert!(!db::hotline::end_call(&client, call, me, "other", None)
        .await
        .expect("again"));
    assert!(db::hotline::list_open_calls(&client, me)
        .await
        .expect("open")
        .is_empty());
    assert!(
        db::hotline::end_call(
            &client,
            db::hotline::insert_operator_call(&client, me, None, started)
                .await
                .expect("call"),
            me,
            "bogus",
            None
        )
        .await
        .is_err(),
        "the outcome is a closed set"
    );
    assert!(
        db::hotline::insert_operator_call(&client, me, Some("0912345678"), started)
            .await
            .is_err(),
        "phones are stored in E.164"
    );

    db::hotline::insert_ivr_call(&client, None, "answered_by_ivr")
        .await
        .expect("ivr");
    db::hotline::insert_ivr_call(&client, Some("+84912345678"), "transferred")
        .await
        .expect("ivr");
    let counts = db::hotline::count_outcomes(&client, None, None)
        .await
        .expect("counts");
    let get = |source: &str, outcome: Option<&str>| {
        counts
            .iter()
            .find(|c| c.source == source && c.outcome.as_deref() == outcome)
            .map_or(0, |c| c.calls)
    };
    assert_eq!(get("operator", Some("resolved")), 1);
    assert_eq!(get("operator", None), 1, "the call still open");
    assert_eq!(get("ivr", Some("answered_by_ivr")), 1);
    assert_eq!(get("ivr", Some("transferred")), 1);
    let later = db::hotline::count_outcomes(&client, Some(Utc::now() + Duration::hours(1)), None)
        .await
        .expect("counts");
    assert!(later.is_empty(), "the period bounds apply");
}

#[tokio::test]
async fn a_phone_lists_its_dossiers_and_its_callers_open_items() {
    let app = spawn_intake_app().await;
    let client = app.db.client().await;
    let known = app.known(4).await;
    let national = format!("0{}", &known.phone[3..]);

    let dossiers = db::hotline::list_dossiers_by_phone(&client, &known.phone, 50)
        .await
        .expect("dossiers");
    assert!(dossiers.iter().any(|d| d.code == known.code));
    assert!(
        db::hotline::list_dossiers_by_phone(&client, "+84999999999", 50)
            .await
            .expect("none")
            .is_empty()
    );

    let mine = submit_question(&app, json!({"phone": national})).await;
    let about = submit_question(
        &app,
        json!({"phone": "0912000999", "dossier_code": known.code}),
    )
    .await;
    let by_phone = db::intake::list_open_by_caller(&client, Some(&known.phone), None)
        .await
        .expect("items");
    assert_eq!(
        by_phone
            .iter()
            .map(|i| i.tracking_code.as_str())
            .collect::<Vec<_>>(),
        vec![mine.as_str()]
    );
    let either = db::intake::list_open_by_caller(&client, Some(&known.phone), Some(&known.code))
        .await
        .expect("items");
    assert_eq!(either.len(), 2);
    assert!(either.iter().any(|i| i.tracking_code == about));

    let me = operator_id(&app, "dtv.lien").await;
    let call = db::hotline::insert_operator_call(&client, me, None, Utc::now())
        .await
        .expect("call");
    db::hotline::insert_call_item(&client, call, by_phone[0].id)
        .await
        .expect("link");
    db::hotline::insert_call_item(&client, call, by_phone[0].id)
        .await
        .expect("twice is fine");
    assert_eq!(
        db::hotline::list_call_items(&client, call)
            .await
            .expect("items"),
        vec![mine]
    );
}

#[tokio::test]
async fn audit_entries_are_filtered_and_a_phone_search_needs_a_reason() {
    let app = spawn_intake_app().await;
    let client = app.db.client().await;
    let me = operator_id(&app, "dtv.nk").await;
    let shown = vec!["H57.132-260804-0583".to_owned()];
    let entry =
        |action: &'static str, subject: &'static str, reason: Option<&'static str>| NewAuditEntry {
            actor_id: me,
            actor_label: "Cán bộ thử",
            action,
            subject,
            reason,
            shown: &[],
            call_id: None,
        };
    db::audit::insert_entry(&client, &entry("dossier_view", "H57.132-260804-0583", None))
        .await
        .expect("view");
    db::audit::insert_entry(
        &client,
        &NewAuditEntry {
            shown: &shown,
            ..entry("phone_search", "+84912345678", Some("lý do"))
        },
    )
    .await
    .expect("search");
    assert!(
        db::audit::insert_entry(&client, &entry("phone_search", "+84912345678", None))
            .await
            .is_err(),
        "a phone search without a reason is refused by the database too"
    );
    assert!(db::audit::insert_entry(&client, &entry("edit", "x", None))
        .await
        .is_err());

    let client = &client;
    let all = |f: AuditFilter| async move {
        db::audit::list_entries(client, &AuditFilter { limit: 100, ..f })
            .await
            .expect("list")
    };
    assert_eq!(all(AuditFilter::default()).await.len(), 2);
    let searches = all(AuditFilter {
        action: Some("phone_search".into()),
        ..AuditFilter::default()
    })
    .await;
    assert_eq!(searches.len(), 1);
    assert_eq!(searches[0].shown, shown);
    assert_eq!(searches[0].reason.as_deref(), Some("lý do"));
    assert_eq!(
        all(AuditFilter {
            subject: Some("+84912345678".into()),
            ..AuditFilter::default()
        })
        .await
        .len(),
        1
    );
    assert_eq!(
        all(AuditFilter {
            actor_id: Some(me + 1),
            ..AuditFilter::default()
        })
        .await
        .len(),
        0
    );
    assert_eq!(
        all(AuditFilter {
            from: Some(Utc::now() + Duration::hours(1)),
            ..AuditFilter::default()
        })
        .await
        .len(),
        0
    );
    assert_eq!(
        all(AuditFilter {
            to: Some(Utc::now() - Duration::hours(1)),
            ..AuditFilter::default()
        })
        .await
        .len(),
        0
    );
}
